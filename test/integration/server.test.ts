import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runServerToExit, startServer, type ServerProcess, type StartOptions } from '../helpers/server-process.js';

const PASSWORD = 'a long enough password';

/** Waits until `condition` holds, checking every 10 ms, for at most 10 s. */
async function poll(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function tempSite() {
  const root = mkdtempSync(path.join(tmpdir(), 'quire-server-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const postsDir = path.join(root, 'posts');
  mkdirSync(postsDir);
  return { root, postsDir, env: { POSTS_DIR: postsDir, DATABASE_PATH: path.join(root, 'data', 'quire.sqlite') } };
}

async function start(env: Record<string, string>, options?: StartOptions): Promise<ServerProcess> {
  const server = await startServer(env, options);
  onTestFinished(() => {
    server.child.kill('SIGKILL');
  });
  return server;
}

/** Signs in over real HTTP and returns the cookie and the CSRF token of the author's forms. */
async function signIn(url: string, password: string) {
  const login = await fetch(`${url}/login`);
  const visitor = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1] ?? '';
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: visitor, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password, _csrf: token }),
  });
  const session = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const index = await fetch(`${url}/`, { headers: { cookie: session } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await index.text())?.[1] ?? '';
  return { status: res.status, cookie: session, csrf };
}

describe('the server process', () => {
  it('prints a generated password once when AUTHOR_PASSWORD is not set, and it signs in', async () => {
    const site = tempSite();
    const server = await start(site.env);
    const printed = /shown once\):\s+(\S+)/.exec(server.output())?.[1];
    expect(printed).toBeDefined();
    expect(server.output().split(printed ?? '').length - 1).toBe(1);
    expect((await signIn(server.url, printed ?? '')).status).toBe(303);
    expect((await signIn(server.url, 'not it at all')).status).toBe(401);
  });

  it('refuses to start on bad configuration, naming every bad variable', async () => {
    const site = tempSite();
    const { code, output } = await runServerToExit({ ...site.env, PORT: 'eighty', SITE_URL: 'ftp://example.com' });
    expect(code).toBe(1);
    expect(output).toContain('PORT');
    expect(output).toContain('SITE_URL');
  });

  it('rebuilds every post from its file when the index is deleted', async () => {
    const site = tempSite();
    const first = await start({ ...site.env, AUTHOR_PASSWORD: PASSWORD });
    const { cookie, csrf } = await signIn(first.url, PASSWORD);
    const created = await fetch(`${first.url}/posts`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ title: 'Survives restarts', content: 'Still **here**.', tags: 'ops', _csrf: csrf }),
    });
    expect(created.status).toBe(303);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    rmSync(path.join(site.root, 'data'), { recursive: true });
    const second = await start({ ...site.env, AUTHOR_PASSWORD: PASSWORD });
    const page = await fetch(`${second.url}/posts/survives-restarts`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Still <strong>here</strong>.');
    expect(readdirSync(site.postsDir)).toEqual(['survives-restarts.md']);
  });

  /**
   * 100 posts indexed by a first start, then their rows as an earlier release rendered them
   * and with what its migration forgets, so that the next start renders every one again. The
   * index's write lock is held (the threads can write no row) until `release()`.
   */
  async function upgradedSite() {
    const site = tempSite();
    // Enough posts to go to the indexing threads, which write their rows on connections of their own.
    for (let n = 0; n < 100; n++) writeFileSync(path.join(site.postsDir, `post-${n}.md`), `---\ntitle: Post ${n}\n---\nRendered by **this** release.\n`);
    const first = await start({ ...site.env, AUTHOR_PASSWORD: PASSWORD });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const index = new Database(site.env.DATABASE_PATH);
    onTestFinished(() => {
      index.close();
    });
    index.exec("UPDATE posts SET safe_html = '<p>Rendered by the old release.</p>', file_size = -1, file_mtime_ms = -1, content_hash = ''");
    index.exec('BEGIN IMMEDIATE');
    return { env: { ...site.env, AUTHOR_PASSWORD: PASSWORD }, release: () => index.exec('ROLLBACK') };
  }

  it('serves the pages it has while an upgrade renders every post again, then the new ones', async () => {
    const site = await upgradedSite();
    const upgraded = await start(site.env, { untilReconciled: false });
    const meanwhile = await fetch(`${upgraded.url}/posts/post-42`);
    expect(meanwhile.status).toBe(200);
    expect(await meanwhile.text()).toContain('Rendered by the old release.');
    expect((await fetch(`${upgraded.url}/healthz`)).status).toBe(200);
    expect(upgraded.output()).not.toContain('"event":"reconciled"');

    site.release();
    await poll(() => upgraded.output().includes('"event":"reconciled"'));
    expect(upgraded.output()).toMatch(/"event":"reconciled"[^\n]*"updated":100/);
    const after = await (await fetch(`${upgraded.url}/posts/post-42`)).text();
    expect(after).toContain('Rendered by <strong>this</strong> release.');
    upgraded.child.kill('SIGTERM');
    expect(await upgraded.exited).toBe(0);
  });

  it('answers 503 with its progress while a first start builds the index, then serves every post', async () => {
    const site = tempSite();
    // A first start on an empty folder makes the index; then posts are dropped into the folder.
    const empty = await start({ ...site.env, AUTHOR_PASSWORD: PASSWORD });
    empty.child.kill('SIGTERM');
    expect(await empty.exited).toBe(0);
    for (let n = 0; n < 100; n++) writeFileSync(path.join(site.postsDir, `post-${n}.md`), `---\ntitle: Post ${n}\n---\nIndexed by a **first** start.\n`);
    // The index's write lock is held, so that the build cannot end while the test looks.
    const index = new Database(site.env.DATABASE_PATH);
    onTestFinished(() => {
      index.close();
    });
    index.exec('BEGIN IMMEDIATE');

    const building = await start({ ...site.env, AUTHOR_PASSWORD: PASSWORD }, { untilReconciled: false });
    const page = await fetch(`${building.url}/posts/post-42`);
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('5');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<h1>Starting up</h1>');
    expect(html).toContain('0 of 100 files so far');
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1] ?? '';
    expect((await fetch(`${building.url}${stylesheet}`)).status).toBe(200);
    const health = await fetch(`${building.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'starting', done: 0, total: 100 });

    index.exec('ROLLBACK');
    await poll(() => building.output().includes('"event":"reconciled"'));
    expect((await fetch(`${building.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${building.url}/posts/post-42`)).text()).toContain('Indexed by a <strong>first</strong> start.');
    building.child.kill('SIGTERM');
    expect(await building.exited).toBe(0);
  });

  it('stops cleanly on SIGTERM while a thread waits for the write lock to re-render, and goes on from there at the next start', async () => {
    const site = await upgradedSite();
    const stopped = await start(site.env, { untilReconciled: false });
    // Time for the thread to render its first files and wait for the lock the test holds (the
    // old pool ended it there, and better-sqlite3 aborted the process when the wait failed).
    // Shorter or longer, the outcome must be the same: the thread's wait fails after SQLite's
    // busy timeout, and the server exits 0.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stopped.child.kill('SIGTERM');
    expect(await stopped.exited).toBe(0);
    expect(stopped.output()).toContain('"event":"stopped"');
    site.release();

    const next = await start(site.env);
    expect(next.output()).toMatch(/"event":"reconciled"[^\n]*"updated":100/);
    expect(await (await fetch(`${next.url}/posts/post-99`)).text()).toContain('Rendered by <strong>this</strong> release.');
  });

  it('publishes a post long enough to go to the preparing thread, and stops cleanly with the thread alive', async () => {
    const site = tempSite();
    const server = await start({ ...site.env, AUTHOR_PASSWORD: PASSWORD });
    const { cookie, csrf } = await signIn(server.url, PASSWORD);
    const section = (n: number) => `## Part ${n}\n\nSome **bold** words about part ${n}.\n\n\`\`\`ts\nconst part: number = ${n};\n\`\`\`\n\n`;
    const content = Array.from({ length: 600 }, (_, n) => section(n)).join('');
    expect(content.length).toBeGreaterThan(40 * 1024);
    const created = await fetch(`${server.url}/posts`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ title: 'A long read', content, tags: 'long', _csrf: csrf }),
    });
    expect(created.status).toBe(303);
    const page = await (await fetch(`${server.url}/posts/a-long-read`)).text();
    expect(page).toContain('<strong>bold</strong> words about part 599.');
    expect(page).toContain('<code class="hljs language-ts"><span class="hljs-keyword">const</span> <span class="hljs-attr">part</span>');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('on %s, finishes the request in flight, then exits 0', async (signal) => {
    const site = tempSite();
    const server = await start({ ...site.env, AUTHOR_PASSWORD: PASSWORD });
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString()));
    const body = 'password=wrong&_csrf=none';
    // "Expect: 100-continue" makes the server say when it has the request in hand, so the
    // signal arrives mid-request however slow the machine is.
    socket.write(`POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
    await poll(() => response.startsWith('HTTP/1.1 100'));

    server.child.kill(signal);
    await poll(() => server.output().includes('"event":"stopping"'));
    socket.write(body);
    await new Promise((resolve) => socket.once('close', resolve));

    expect(response).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 403/);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"event":"stopped"');
  });
});
