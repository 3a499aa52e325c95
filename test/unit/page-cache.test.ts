import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { createPageCache, READS_FOR_BEST_COMPRESSION } from '../../src/http/page-cache.js';

const HTML: [string, string][] = [['Content-Type', 'text/html; charset=utf-8']];
const aPage = (text: string) => Buffer.from(`<p>${text}</p>`.repeat(100));
const anArticle = () =>
  Buffer.from(Array.from({ length: 400 }, (_, i) => `<p>Part ${i}: ${(i * 7) % 13} typed arrays hold ${i * 31} bytes, read ${i % 5} times.</p>`).join('\n'));

describe('the page cache', () => {
  it('compresses off the caller’s thread, keeping the page meanwhile for every reader to wait on', async () => {
    const cache = createPageCache({ version: () => 'v1' });
    const first = cache.put('/posts/a', aPage('a'), HTML);
    // Not ready when put returns: the compression runs on the thread pool, not on the thread answering readers.
    expect(cache.get('/posts/a')).toBeInstanceOf(Promise);
    const again = cache.put('/posts/a', aPage('a'), HTML);
    const [page, samePage] = await Promise.all([first, again]);
    expect(samePage).toBe(page);
    expect(cache.get('/posts/a')).toBe(page);
    expect(page.variants.br.body.length).toBeLessThan(page.variants.identity.body.length);
  });

  it('compresses a page fast for its first readers, and at its best once it is read often', async () => {
    const cache = createPageCache({ version: () => 'v1' });
    const fast = await cache.put('/posts/a', anArticle(), HTML);
    // Its first readers get it as it is; then the best compression is on its way for the next.
    for (let read = 2; read <= READS_FOR_BEST_COMPRESSION; read++) expect(cache.get('/posts/a')).toBe(fast);
    await vi.waitFor(() => expect(cache.get('/posts/a')).not.toBe(fast), { timeout: 10_000 });
    const best = cache.get('/posts/a');
    if (!best || best instanceof Promise) throw new Error('the page is no longer kept');
    expect(best.variants.br.body.length).toBeLessThan(fast.variants.br.body.length);
    expect(brotliDecompressSync(best.variants.br.body)).toEqual(fast.variants.identity.body);
    expect(best.variants.br.etag).not.toBe(fast.variants.br.etag);
    expect(best.etag).toBe(fast.etag);
  });

  it('holds no more memory for a page than its bytes, which its budget counts', async () => {
    const cache = createPageCache({ version: () => 'v1' });
    // Views of larger blocks, which keep all of theirs: zlib's output buffer, Buffer's shared pool.
    for (const text of [aPage('a'), anArticle()]) {
      const page = await cache.put(`/posts/${text.length}`, text, HTML);
      for (const encoding of ['identity', 'br', 'gzip'] as const) {
        const { body } = page.variants[encoding];
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
});
