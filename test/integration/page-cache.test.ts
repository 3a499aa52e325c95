import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, get, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { aDraft, makeTestApp, signedInAgent } from '../helpers/app.js';

/** GETs over a real connection and returns the bytes as sent (supertest would decompress them). */
async function rawGet(app: RequestListener, path: string, headers: Record<string, string>) {
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('readers’ pages from memory', () => {
  it('serves a page again without touching the database', async () => {
    const { app, db } = makeTestApp({ posts: ['typed-arrays.md'] });
    const first = await request(app).get('/posts/typed-arrays').expect(200);
    db.close();
    const second = await request(app).get('/posts/typed-arrays').expect(200);
    expect(second.text).toBe(first.text);
    expect(second.headers.etag).toBe(first.headers.etag);
  });

  it('answers 304 to a matching If-None-Match on pages and sources, without the database', async () => {
    const { app, db } = makeTestApp({ posts: ['typed-arrays.md'] });
    const urls = ['/', '/posts/typed-arrays', '/posts/typed-arrays.md'];
    const etags = [];
    for (const url of urls) etags.push((await request(app).get(url).set('Accept-Encoding', 'identity').expect(200)).headers.etag as string);
    db.close();
    for (const [i, url] of urls.entries()) {
      expect(etags[i]).toMatch(/^"[\w-]+"$/);
      const res = await request(app).get(url).set('Accept-Encoding', 'identity').set('If-None-Match', etags[i] as string).expect(304);
      expect(res.headers.etag).toBe(etags[i]);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('sends brotli or gzip as the browser asks, computed once, with the same content', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    const plain = await rawGet(app, '/posts/typed-arrays', { 'Accept-Encoding': 'identity' });
    const br = await rawGet(app, '/posts/typed-arrays', { 'Accept-Encoding': 'gzip, deflate, br' });
    const gzip = await rawGet(app, '/posts/typed-arrays', { 'Accept-Encoding': 'gzip, br;q=0' });
    expect([plain.status, br.status, gzip.status]).toEqual([200, 200, 200]);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(brotliDecompressSync(br.body)).toEqual(plain.body);
    expect(gunzipSync(gzip.body)).toEqual(plain.body);
    expect(br.headers.vary).toBe('Accept-Encoding, Cookie');
    expect(new Set([plain.headers.etag, br.headers.etag, gzip.headers.etag]).size).toBe(3);
  });

  it('keeps every security header on pages served from memory', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    const first = await request(app).get('/posts/typed-arrays');
    const second = await request(app).get('/posts/typed-arrays');
    for (const header of ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options', 'cross-origin-opener-policy', 'content-type', 'cache-control']) {
      expect(second.headers[header]).toBeDefined();
      expect(second.headers[header]).toBe(first.headers[header]);
    }
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(second.headers['cache-control']).toBe('public, no-cache');
  });

  it('shows a new post on the index at once', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    await request(app).get('/').expect(200);
    const { agent, csrf } = await signedInAgent(app);
    await agent.post('/posts').type('form').send({ ...aDraft({ title: 'Fresh off the press' }), _csrf: csrf }).expect(303);
    const index = await request(app).get('/').expect(200);
    expect(index.text).toContain('Fresh off the press');
  });

  it('keeps the other posts’ pages in memory when a post is published', async () => {
    const { app, db } = makeTestApp({ posts: ['typed-arrays.md'] });
    const before = await request(app).get('/posts/typed-arrays').expect(200);
    const { agent, csrf } = await signedInAgent(app);
    await agent.post('/posts').type('form').send({ ...aDraft({ title: 'Fresh off the press' }), _csrf: csrf }).expect(303);
    db.close();
    const after = await request(app).get('/posts/typed-arrays').expect(200);
    expect(after.text).toBe(before.text);
  });

  it('sees a reindex made by another process within a moment, on the index and on posts', async () => {
    const { app, dirs } = makeTestApp({ posts: ['typed-arrays.md'] });
    expect((await request(app).get('/').expect(200)).text).toContain('Typed arrays in practice');
    expect((await request(app).get('/posts/typed-arrays').expect(200)).text).toContain('Typed arrays in practice');
    const other = new Database(dirs.databasePath);
    other.prepare("UPDATE posts SET title = 'Renamed elsewhere' WHERE slug = 'typed-arrays'").run();
    other.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await request(app).get('/').expect(200)).text).toContain('Renamed elsewhere');
    expect((await request(app).get('/posts/typed-arrays').expect(200)).text).toContain('Renamed elsewhere');
  });

  it('shows every post again after a reindex here', async () => {
    const { app, store, dirs } = makeTestApp({ posts: ['typed-arrays.md'] });
    expect((await request(app).get('/posts/typed-arrays').expect(200)).text).toContain('Typed arrays in practice');
    const file = path.join(dirs.postsDir, 'typed-arrays.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('title: "Typed arrays in practice"', 'title: "Edited by hand"'));
    store.reindex();
    expect((await request(app).get('/posts/typed-arrays').expect(200)).text).toContain('Edited by hand');
  });

  it('never shows the author’s page to a reader, nor a reader’s page to the author', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    const { agent } = await signedInAgent(app);
    expect((await agent.get('/').expect(200)).text).toContain('action="/posts"');
    const reader = await request(app).get('/').expect(200);
    expect(reader.text).not.toContain('_csrf');
    expect((await agent.get('/').expect(200)).text).toContain('action="/posts"');
    expect((await agent.get('/').expect(200)).headers['cache-control']).toBe('no-store');
  });

  it('answers HEAD with the headers only', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    await request(app).get('/posts/typed-arrays');
    const head = await request(app).head('/posts/typed-arrays').set('Accept-Encoding', 'identity').expect(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    expect(head.text ?? '').toBe('');
  });

  it('answers a HEAD before any GET with the headers the GET then gets', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    for (const url of ['/', '/posts/typed-arrays', '/posts/typed-arrays.md']) {
      const head = await request(app).head(url).set('Accept-Encoding', 'br').expect(200);
      const get = await rawGet(app, url, { 'Accept-Encoding': 'br' });
      for (const header of ['etag', 'cache-control', 'content-encoding', 'content-length', 'content-type', 'vary']) {
        expect(head.headers[header], `${header} of ${url}`).toBe(get.headers[header]);
      }
      expect(head.headers['cache-control']).toBe('public, no-cache');
    }
  });

  it('serves links with tracking parameters (fbclid, utm_*) the same page from memory', async () => {
    const { app, db } = makeTestApp({ posts: ['typed-arrays.md'] });
    // Uncompressed, so that the ETag names the page alone (compressed bytes improve once it is read again).
    const get = (url: string) => request(app).get(url).set('Accept-Encoding', 'identity').expect(200);
    const pages = [await get('/posts/typed-arrays'), await get('/')];
    db.close();
    for (let click = 0; click < 3; click++) {
      const shared = await get(`/posts/typed-arrays?fbclid=IwAR${click}x&utm_source=social&utm_medium=${click}`);
      expect(shared.headers.etag).toBe(pages[0]?.headers.etag);
      expect(shared.text).toBe(pages[0]?.text);
      const index = await get(`/?utm_source=newsletter&utm_campaign=${click}`);
      expect(index.headers.etag).toBe(pages[1]?.headers.etag);
    }
  });

  it('serves a link written with a trailing slash the same page from memory', async () => {
    const { app, db } = makeTestApp({ posts: ['typed-arrays.md'] });
    const page = await request(app).get('/posts/typed-arrays/').set('Accept-Encoding', 'identity').expect(200);
    db.close();
    const again = await request(app).get('/posts/typed-arrays').set('Accept-Encoding', 'identity').expect(200);
    expect(again.headers.etag).toBe(page.headers.etag);
    expect(page.headers['cache-control']).toBe('public, no-cache');
  });

  it('keeps a page only under the URL the site links to, since other forms of it have no end', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    for (const url of ['/?page=01', '/?page=1', '/posts/typed-arrays?page=7']) {
      for (let visit = 0; visit < 2; visit++) {
        const res = await request(app).get(url).set('Accept-Encoding', 'br').expect(200);
        expect(res.text, url).toContain('Typed arrays in practice');
        expect(res.headers['cache-control'], url).toBe('no-store');
        expect(res.headers['content-encoding'], url).toBeUndefined();
      }
    }
  });
});

describe('the stylesheet and the icon', () => {
  it('the stylesheet has a fingerprinted URL that browsers may keep for good, compressed', async () => {
    const { app } = makeTestApp();
    const page = await request(app).get('/').expect(200);
    const href = /<link rel="stylesheet" href="(\/assets\/style\.[0-9a-f]{10}\.css)">/.exec(page.text)?.[1];
    expect(href).toBeDefined();
    const css = await rawGet(app, href as string, { 'Accept-Encoding': 'br' });
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(css.body).toString()).toContain('prefers-color-scheme');
  });

  it('the icon has one too, and public/ under its own names may be kept for an hour', async () => {
    const { app } = makeTestApp();
    const page = await request(app).get('/').expect(200);
    const href = /<link rel="icon" href="(\/assets\/favicon\.[0-9a-f]{10}\.svg)" type="image\/svg\+xml">/.exec(page.text)?.[1];
    expect(href).toBeDefined();
    const icon = await request(app).get(href as string).expect(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const unversioned = await request(app).get('/favicon.svg').expect(200);
    expect(unversioned.headers['cache-control']).toBe('public, max-age=3600');
  });
});
