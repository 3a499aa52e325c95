import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AUTHOR_PASSWORD, aDraft, addUnpublishableFile, csrfTokenIn, makeTestApp, signedInAgent } from '../helpers/app.js';
import { loadAssets } from '../../src/http/assets.js';
import { startingListener } from '../../src/http/starting.js';
import { PUBLIC_DIR } from '../../src/paths.js';
import { requireTool } from './browser.js';

// The package's main export is the path of the jar it ships.
const VNU_JAR = String(createRequire(import.meta.url)('vnu-jar'));
const javaAvailable = requireTool('Java', !spawnSync('java', ['-version']).error, 'apt-get install -y default-jre-headless');

/** One message of the Nu HTML checker's JSON output. */
interface VnuMessage {
  type: 'error' | 'info' | 'non-document-error';
  subType?: string;
  url?: string;
  lastLine?: number;
  firstColumn?: number;
  message: string;
  extract?: string;
}

/** Runs the checker once over all the files. It exits 1 when it finds errors, so read its output either way. */
function checkHtml(files: string[]): Promise<VnuMessage[]> {
  return new Promise((resolve, reject) => {
    execFile('java', ['-jar', VNU_JAR, '--format', 'json', '--stdout', ...files], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        resolve((JSON.parse(stdout) as { messages: VnuMessage[] }).messages);
      } catch {
        reject(new Error(`the HTML checker failed: ${error?.message ?? ''}\n${stderr}`));
      }
    });
  });
}

const describeMessage = (m: VnuMessage) =>
  `${path.basename(m.url ?? '?')}:${m.lastLine ?? '?'}:${m.firstColumn ?? '?'} ${m.subType ?? m.type}: ${m.message}${m.extract ? `\n    ${m.extract.replace(/\n/g, '⏎')}` : ''}`;

/** The HTML of every page kind, by name, each fetched with the status it must have. */
async function everyPageKind(): Promise<Record<string, string>> {
  const pages: Record<string, string> = {};
  const keep = (name: string, res: request.Response) => (pages[name] = res.text);

  const site = makeTestApp({ posts: ['typed-arrays.md', 'hand-written.md', 'hostile.md'] });
  const { app } = site;
  addUnpublishableFile(site);
  keep('index-visitor', await request(app).get('/').expect(200));
  keep('post-with-code', await request(app).get('/posts/typed-arrays').expect(200));
  keep('post-with-table', await request(app).get('/posts/hand-written').expect(200));
  keep('post-hand-edited-hostile', await request(app).get('/posts/hostile').expect(200));
  keep('login', await request(app).get('/login').expect(200));
  keep('error-400', await request(app).get('/?page=abc').expect(400));
  keep('error-401', await request(app).post('/posts').type('form').send(aDraft()).expect(401));
  keep('error-403', await request(app).post('/login').type('form').send({ password: AUTHOR_PASSWORD }).expect(403));
  keep('error-404', await request(app).get('/no/such/page').expect(404));

  const visitor = request.agent(app);
  const token = csrfTokenIn((await visitor.get('/login').expect(200)).text);
  keep('login-401', await visitor.post('/login').type('form').send({ password: 'wrong', _csrf: token }).expect(401));

  const { agent, csrf } = await signedInAgent(app);
  keep('index-author', await agent.get('/').expect(200));
  const tooManyTags = Array.from({ length: 11 }, (_, i) => `tag${i}`).join(',');
  keep('post-form-400', await agent.post('/posts').type('form').send({ ...aDraft({ title: ' ', tags: tooManyTags }), _csrf: csrf }).expect(400));
  keep('error-413', await agent.post('/posts').field('_csrf', csrf).field('title', 'T').attach('file', Buffer.alloc(9 * 1024 * 1024, 97), { filename: 'big.md' }).expect(413));
  for (let i = 1; i <= 10; i++) await agent.post('/posts').type('form').send({ ...aDraft({ title: `Post ${i}` }), _csrf: csrf }).expect(303);
  keep('index-page-2', await request(app).get('/?page=2').expect(200));

  // The throttle counts per address, so it gets an app of its own.
  const throttled = request.agent(makeTestApp().app);
  const loginToken = csrfTokenIn((await throttled.get('/login').expect(200)).text);
  for (let i = 0; i < 10; i++) await throttled.post('/login').type('form').send({ password: `wrong ${i}`, _csrf: loginToken }).expect(401);
  keep('error-429', await throttled.post('/login').type('form').send({ password: 'wrong', _csrf: loginToken }).expect(429));

  const starting = startingListener({ progress: () => ({ done: 2000, total: 100_000 }), site: { title: 'Test Blog', url: 'http://localhost:3000' }, assets: loadAssets(PUBLIC_DIR), https: false });
  keep('starting-503', await request(starting).get('/').expect(503));
  return pages;
}

describe.skipIf(!javaAvailable)('valid HTML (Nu HTML checker)', () => {
  it('finds no errors on any page kind', async () => {
    const pages = await everyPageKind();
    const dir = mkdtempSync(path.join(tmpdir(), 'quire-vnu-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const files = Object.entries(pages).map(([name, html]) => {
      const file = path.join(dir, `${name}.html`);
      writeFileSync(file, html);
      return file;
    });
    // A page with a known error (no <title>) proves the checker really read the files.
    const canary = path.join(dir, 'canary.html');
    writeFileSync(canary, '<!doctype html><html lang="en"><head></head><body><p>No title.</p></body></html>');

    const messages = await checkHtml([...files, canary]);
    // Warnings (type "info") are advice; errors and files the checker could not read fail the test.
    const errors = messages.filter((m) => m.type !== 'info');
    expect(errors.filter((m) => m.url?.endsWith('/canary.html')).length).toBeGreaterThan(0);
    expect(errors.filter((m) => !m.url?.endsWith('/canary.html')).map(describeMessage)).toEqual([]);
  });
});
