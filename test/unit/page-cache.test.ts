import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { createPageCache, READS_FOR_BEST_COMPRESSION } from '../../src/http/page-cache.js';
import { prepareRepresentation } from '../../src/http/representation.js';

const HTML: [string, string][] = [['Content-Type', 'text/html; charset=utf-8']];
const aPage = (text: string) => Buffer.from(`<p>${text}</p>`.repeat(100));
const anArticle = () =>
  Buffer.from(Array.from({ length: 400 }, (_, i) => `<p>Part ${i}: ${(i * 7) % 13} typed arrays hold ${i * 31} bytes, read ${i % 5} times.</p>`).join('\n'));

describe('the page cache', () => {
  it('compresses an encoding off the caller’s thread when a reader first asks for it, once for every reader', async () => {
    const cache = createPageCache({ version: () => 'v1' });
    const put = cache.put('/posts/a', aPage('a'), HTML);
    // Kept at once: readers arriving meanwhile wait for this page instead of rendering it again.
    expect(cache.get('/posts/a')).toBeInstanceOf(Promise);
    const page = await put;
    expect(await cache.put('/posts/a', aPage('a'), HTML)).toBe(page);
    expect(page.encodings()).toEqual([]);
    // Not ready when asked for: it is compressed on the thread pool, not on the thread answering readers.
    const first = page.variant('br');
    expect(first).toBeInstanceOf(Promise);
    expect(page.variant('br')).toBe(first);
    const br = await first;
    expect(page.variant('br')).toBe(br);
    expect(brotliDecompressSync(br.body)).toEqual(page.body);
    expect(br.etag).toBe(page.etagOf('br'));
    // Never asked for, never compressed.
    expect(page.encodings()).toEqual(['br']);
  });

  it('compresses a page fast for its first readers, and at its best once it is read often', async () => {
    const cache = createPageCache({ version: () => 'v1' });
    const fast = await cache.put('/posts/a', anArticle(), HTML);
    const fastBr = await fast.variant('br');
    // Its first readers get it as it is; then the best compression is on its way for the next.
    for (let read = 2; read <= READS_FOR_BEST_COMPRESSION; read++) expect(cache.get('/posts/a')).toBe(fast);
    await vi.waitFor(() => expect(cache.get('/posts/a')).not.toBe(fast), { timeout: 10_000 });
    const best = cache.get('/posts/a');
    if (!best || best instanceof Promise) throw new Error('the page is no longer kept');
    // Compressed before it took the fast one's place, in the encodings asked for so far.
    const bestBr = best.variant('br');
    if (bestBr instanceof Promise) throw new Error('readers would wait for the best compression');
    expect(best.encodings()).toEqual(['br']);
    expect(bestBr.body.length).toBeLessThan(fastBr.body.length);
    expect(brotliDecompressSync(bestBr.body)).toEqual(fast.body);
    expect(bestBr.etag).not.toBe(fastBr.etag);
    expect(best.etag).toBe(fast.etag);
  });

  it('compresses one page at its best at a time, and skips one dropped while it waited', async () => {
    // The compressions at their best are watched, and finished by the test.
    const atBest: { key: string; finish: () => void }[] = [];
    let version = 'v1';
    const cache = createPageCache({
      version: () => version,
      prepare: (body, headers, effort, options) => {
        if (effort === 'fast') return prepareRepresentation(body, headers, effort, options);
        return new Promise((resolve) => {
          atBest.push({ key: body.toString(), finish: () => resolve(prepareRepresentation(body, headers, 'fast', options)) });
        });
      },
    });
    const readOften = (key: string) => {
      for (let read = 2; read <= READS_FOR_BEST_COMPRESSION; read++) cache.get(key);
    };
    for (const key of ['/a', '/b', '/c']) await cache.put(key, Buffer.from(key), HTML);
    for (const key of ['/a', '/b', '/c']) readOften(key);

    expect(atBest.map(({ key }) => key)).toEqual(['/a']);
    atBest[0]?.finish();
    await vi.waitFor(() => expect(atBest.map(({ key }) => key)).toEqual(['/a', '/b']));
    // "/c" is dropped (its version changed) before its turn comes.
    version = 'v2';
    expect(cache.get('/c')).toBeUndefined();
    atBest[1]?.finish();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(atBest.map(({ key }) => key)).toEqual(['/a', '/b']);
  });

  it('holds no more memory for a page than its bytes, which its budget counts', async () => {
    const cache = createPageCache({ version: () => 'v1' });
    // Views of larger blocks, which keep all of theirs: zlib's output buffer, Buffer's shared pool.
    for (const text of [aPage('a'), anArticle()]) {
      const page = await cache.put(`/posts/${text.length}`, text, HTML);
      for (const encoding of ['identity', 'br', 'gzip'] as const) {
        const { body } = await page.variant(encoding);
        expect(body.buffer.byteLength, `${encoding} of ${text.length} bytes`).toBe(body.length);
      }
    }
  });

  it('drops every page when the index changes, even one still being compressed', async () => {
    let version = 'v1';
    const cache = createPageCache({ version: () => version });
    await cache.put('/', aPage('index'), HTML);
    const compressing = cache.put('/posts/a', aPage('a'), HTML);
    version = 'v2';
    await compressing;
    expect(cache.get('/')).toBeUndefined();
    expect(cache.get('/posts/a')).toBeUndefined();
  });

  it('drops only the pages whose version changed', async () => {
    const versions: Record<string, string> = { '/': 'v1', '/posts/a': 'v1' };
    const cache = createPageCache({ version: (url) => versions[url] ?? 'v1' });
    await cache.put('/', aPage('index'), HTML);
    await cache.put('/posts/a', aPage('a'), HTML);
    versions['/'] = 'v2';
    expect(cache.get('/')).toBeUndefined();
    expect(cache.get('/posts/a')).toBeDefined();
    // Kept again under the new version.
    await cache.put('/', aPage('index, with a new post'), HTML);
    expect(cache.get('/')).toBeDefined();
  });

  it('lets the least recently read pages go when its budget is spent', async () => {
    const pageBytes = (await createPageCache({ version: () => 'v1' }).put('/posts/a', aPage('a'), HTML)).bytes;
    // Room for two pages, not three.
    const cache = createPageCache({ version: () => 'v1', maxBytes: Math.floor(pageBytes * 2.5) });
    await cache.put('/posts/a', aPage('a'), HTML);
    await cache.put('/posts/b', aPage('b'), HTML);
    cache.get('/posts/a');
    await cache.put('/posts/c', aPage('c'), HTML);
    expect(cache.get('/posts/b')).toBeUndefined();
    expect(cache.get('/posts/a')).toBeDefined();
    expect(cache.get('/posts/c')).toBeDefined();
  });

  it('counts each encoding in its budget as it is compressed', async () => {
    const probe = await createPageCache({ version: () => 'v1' }).put('/posts/a', anArticle(), HTML);
    const brotliBytes = (await probe.variant('br')).body.length;
    // Room for two pages, and for one of them in brotli too.
    const cache = createPageCache({ version: () => 'v1', maxBytes: 2 * probe.body.length + brotliBytes });
    const a = await cache.put('/posts/a', anArticle(), HTML);
    const b = await cache.put('/posts/b', anArticle(), HTML);
    await a.variant('br');
    expect(cache.get('/posts/a')).toBeDefined();
    expect(cache.get('/posts/b')).toBeDefined();
    await b.variant('br');
    // The least recently read goes.
    expect(cache.get('/posts/a')).toBeUndefined();
    expect(cache.get('/posts/b')).toBe(b);
  });
});
