import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import MarkdownIt from 'markdown-it';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { POSTS_PER_PAGE } from '../../src/posts/store.js';
import { browserAvailable, launchBrowser, openPage } from '../e2e/browser.js';
import { makeTestApp, signedInAgent } from '../helpers/app.js';
import { scriptableParts } from '../helpers/html.js';
import { multipartBody } from './form-body.js';
import { installScriptTraps } from './script-traps.js';
import { unsyncedFiles } from './unsynced-files.js';
import { XSS_VECTORS, type XssVector } from './xss-vectors.js';

/**
 * Every vector of xss-vectors.ts goes through the real form as the content, as the title and as
 * the tags of a post. Then every page that shows the result is opened in Chromium with traps
 * for anything a script could do, installed before the page's own scripts (script-traps.ts):
 * not one may fire, and the CSP must never have to refuse anything either (a refusal means
 * markup got through that tried to run). Pages re-rendered with a refused submission count too:
 * they are replayed in the browser exactly as the server sent them.
 *
 * Also, by parsing: the stored .md files rendered by a careless Markdown engine hold nothing
 * scriptable (DESIGN.md: "a file on disk must be safe to render with any common Markdown engine").
 */

const FIELDS = ['content', 'title', 'tags'] as const;
type Field = (typeof FIELDS)[number];

/** Where a post can be seen. Feeds and social-card meta tags (later issues) are added here. */
export function pagesShowingPost(slug: string): string[] {
  const path = `/posts/${encodeURIComponent(slug)}`;
  return [path, `${path}.md`];
}

/** Where lists of posts can be seen: every page of the index. */
export function pagesListingPosts(postCount: number): string[] {
  const pages = Math.max(1, Math.ceil(postCount / POSTS_PER_PAGE));
  return Array.from({ length: pages }, (_, i) => (i === 0 ? '/' : `/?page=${i + 1}`));
}

const TIMEOUT_MS = 240_000;

// A careless engine: raw HTML passes through and every link is accepted.
const careless = new MarkdownIt({ html: true });
careless.validateLink = () => true;

interface Sent {
  vector: XssVector;
  field: Field;
}
interface Posted extends Sent {
  slug: string;
}
type Refused = Sent & Replay;

const label = ({ vector, field }: Sent) => `${vector.source} “${vector.name}” as ${field}`;

/** The form with the vector in one field and plain values in the others. */
function formWith(field: Field, payload: string, n: number): Record<string, string> {
  return { title: `Vector ${n} as ${field}`, content: 'A plain body.', tags: '', [field]: payload };
}

// Headers of a refused submission worth replaying: the type and every security header.
const NOT_REPLAYED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date', 'etag', 'set-cookie']);

/**
 * The app on a real HTTP server, like e2e/browser.ts's startServer, that also answers
 * `/__replay/<n>` with the n-th refused submission exactly as the app answered it (the form
 * re-rendered with the hostile input, status and security headers included), and the fixed
 * `pages` given, for the canary test.
 */
async function startReplayingServer(pages: Record<string, Replay> = {}) {
  const { app } = makeTestApp({ files: unsyncedFiles });
  const replays: Refused[] = [];
  const server = createServer((req, res) => {
    const replay = /^\/__replay\/(\d+)$/.exec(req.url ?? '');
    const answer = replay ? replays[Number(replay[1])] : pages[req.url ?? ''];
    if (!answer) return void app(req, res);
    res.writeHead(answer.status, answer.headers).end(answer.html);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, replays };
}

/** What a watched tab saw across every page it opened. */
interface Findings {
  /** Script that ran, or tried to: trap hits, dialogs, page errors, script requests, navigations. */
  executions: string[];
  cspViolations: string[];
  /** Images on other hosts: allowed in posts by design (img-src https:), counted for the figures. */
  externalImages: string[];
}

/**
 * A tab in its own context, with the script traps and the page watcher installed before its
 * first page. `visit` opens a page and waits for its `load` event.
 */
async function openWatchedTab(browser: Browser, baseURL: string) {
  const { page, watcher } = await openPage(browser, baseURL, { width: 1024 });
  const traps = await installScriptTraps(page);
  const origin = new URL(baseURL).origin;
  const seen: Findings = { executions: [], cspViolations: [], externalImages: [] };
  let expected = '';
  page.on('dialog', (dialog) => {
    seen.executions.push(`${dialog.type()} dialog “${dialog.message()}” at ${page.url()}`);
    void dialog.dismiss();
  });
  page.on('popup', (popup) => seen.executions.push(`popup ${popup.url()} from ${page.url()}`));
  page.on('request', (req) => {
    const url = new URL(req.url());
    const type = req.resourceType();
    // The browser is offline: a request elsewhere fails at once, but it was made.
    if (/^(https?|wss?|ftp):$/.test(url.protocol) && url.origin !== origin) {
      if (type === 'image') seen.externalImages.push(url.href);
      else seen.executions.push(`${type} request to ${url.href} from ${page.url()}`);
    }
    if (type === 'script') seen.executions.push(`script request ${req.url()} from ${page.url()}`);
    const isNavigation = req.isNavigationRequest() && req.frame() === page.mainFrame();
    if (isNavigation && req.url() !== expected) seen.executions.push(`navigation to ${req.url()} from ${expected}`);
  });
  return {
    async visit(path: string) {
      expected = new URL(path, baseURL).href;
      await page.goto(path, { waitUntil: 'load' });
    },
    /** Everything seen so far; call after a last `visit` so that the last page's reports are in. */
    findings(): Findings {
      return {
        executions: [...seen.executions, ...traps.hits, ...watcher.pageErrors.map((error) => `page error: ${error}`)],
        cspViolations: [...watcher.cspViolations],
        externalImages: [...seen.externalImages],
      };
    },
  };
}

interface Replay {
  status: number;
  headers: Record<string, string>;
  html: string;
}

describe.skipIf(!browserAvailable())('script injection through the post form', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser({ offline: true, manyPages: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  // The watch itself must work, or the test below proves nothing: a page that runs script,
  // and one whose inline handler the site's CSP refuses, must both be seen.
  it('sees a script that runs, and a handler the CSP refuses', async () => {
    const runs = '<!doctype html><title>runs</title><script>alert(1); fetch("/x"); eval("1"); setTimeout("1"); history.pushState(null, "", "/y")</script><img src=x onerror="print()">';
    const server = await startReplayingServer({
      '/canary/runs': { status: 200, headers: { 'content-type': 'text/html' }, html: runs },
      '/canary/refused': { status: 200, headers: { 'content-type': 'text/html', 'content-security-policy': "script-src 'self'" }, html: '<!doctype html><title>refused</title><img src=x onerror="alert(2)">' },
    });
    const tab = await openWatchedTab(browser, server.baseURL);
    await tab.visit('/canary/runs');
    await tab.visit('/canary/refused');
    await tab.visit('about:blank');
    const { executions, cspViolations } = tab.findings();
    for (const call of ['alert(1)', 'fetch(/x)', 'eval(1)', 'setTimeout with a string(1)', 'history.pushState(/y)', 'print(']) {
      expect(executions.some((line) => line.startsWith(call))).toBe(true);
    }
    expect(executions.some((line) => line.startsWith('element(<script>)'))).toBe(true);
    expect(cspViolations.length).toBeGreaterThan(0);
  });

  it('runs nothing from any vector, in any field, on any page, in Chromium or a careless engine', async () => {
    expect(XSS_VECTORS.length).toBeGreaterThanOrEqual(150);
    const server = await startReplayingServer();
    const { agent, csrf } = await signedInAgent(server.baseURL);

    // 1. Every vector through the real form, in each field.
    const posted: Posted[] = [];
    const refused = server.replays;
    const badAnswers: string[] = [];
    for (const [n, vector] of XSS_VECTORS.entries()) {
      for (const field of FIELDS) {
        const { body, contentType } = multipartBody({ _csrf: csrf, ...formWith(field, vector.payload, n) });
        const res = await agent.post('/posts').set('Content-Type', contentType).send(body);
        const location = String(res.headers.location ?? '');
        if (res.status === 303 && location.startsWith('/posts/')) {
          posted.push({ vector, field, slug: decodeURIComponent(location.slice('/posts/'.length)) });
        } else if (res.status === 400) {
          const headers = Object.fromEntries(Object.entries(res.headers).filter(([name, value]) => !NOT_REPLAYED.has(name) && typeof value === 'string'));
          refused.push({ vector, field, status: res.status, headers: headers as Record<string, string>, html: res.text });
        } else {
          badAnswers.push(`${label({ vector, field })}: ${res.status} ${location}`);
        }
      }
    }

    // 2. By parsing: the stored file in a careless engine, and every page as served.
    const carelessRender: string[] = [];
    const scriptableHtml: string[] = [];
    for (const post of posted) {
      for (const url of pagesShowingPost(post.slug)) {
        const res = await request(server.baseURL).get(url).expect(200);
        if (String(res.headers['content-type']).startsWith('text/markdown')) {
          carelessRender.push(...scriptableParts(careless.render(res.text), []).map((part) => `${label(post)}: ${part} in ${url}`));
        } else {
          scriptableHtml.push(...scriptableParts(res.text).map((part) => `${label(post)}: ${part} on ${url}`));
        }
      }
    }
    for (const page of pagesListingPosts(posted.length)) {
      const html = await request(server.baseURL).get(page).expect(200);
      scriptableHtml.push(...scriptableParts(html.text).map((part) => `${part} on ${page}`));
    }
    for (const refusal of refused) {
      scriptableHtml.push(...scriptableParts(refusal.html).map((part) => `${label(refusal)}: ${part} on the refused form`));
    }

    // 3. In the browser: every page, watched from before its first byte. One tab: more only
    // compete for the same two cores.
    const targets = [
      ...posted.flatMap((post) => pagesShowingPost(post.slug)),
      ...pagesListingPosts(posted.length),
      ...refused.map((_, n) => `/__replay/${n}`),
    ];
    const tab = await openWatchedTab(browser, server.baseURL);
    for (const target of targets) await tab.visit(target);
    await tab.visit('about:blank'); // the last page's reports arrive before this returns
    const { executions, cspViolations, externalImages } = tab.findings();

    const inputs = XSS_VECTORS.length * FIELDS.length;
    console.log(
      `[figures] script injection: ${XSS_VECTORS.length} vectors × ${FIELDS.length} fields = ${inputs} inputs, ` +
        `${badAnswers.filter((line) => / 5\d\d /.test(line)).length} answered 5xx, ${posted.length} posts created, ${refused.length} refused (4xx); ` +
        `${targets.length} pages opened in Chromium; ${executions.length} script executions, ${cspViolations.length} CSP violations; ` +
        `${externalImages.length} requests for images on other hosts (offline, by design allowed)`,
    );
    expect({ badAnswers, carelessRender, scriptableHtml, executions, cspViolations }).toEqual({
      badAnswers: [],
      carelessRender: [],
      scriptableHtml: [],
      executions: [],
      cspViolations: [],
    });
  }, TIMEOUT_MS);
});

// An uploaded file's front matter is another way in: its unknown keys are stored as they are,
// and `description` becomes the excerpt on the index. Checked by parsing (no browser).
describe('script injection through an uploaded file’s front matter', () => {
  it('keeps every vector as written, inert in a careless engine, escaped on the pages', async () => {
    const t = makeTestApp({ files: unsyncedFiles });
    const { agent, csrf } = await signedInAgent(t.app);
    const problems: string[] = [];
    let created = 0;
    for (const [n, vector] of XSS_VECTORS.entries()) {
      const what = `${vector.source} “${vector.name}” in front matter`;
      const value = JSON.stringify(vector.payload);
      const text = `---\ntitle: "Vector ${n} in front matter"\ndescription: ${value}\nnote: ${value}\nnotes:\n  - ${value}\n---\nA plain body.\n`;
      const { body, contentType } = multipartBody({ _csrf: csrf, title: '', tags: '' }, { field: 'file', name: 'vector.md', text });
      const res = await agent.post('/posts').set('Content-Type', contentType).send(body);
      if (res.status !== 303) {
        problems.push(`${what}: ${res.status}`);
        continue;
      }
      created++;
      const location = String(res.headers.location);
      const file = await request(t.app).get(`${location}.md`).expect(200);
      const frontMatter = parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(file.text)?.[1] ?? '') as Record<string, unknown>;
      for (const key of ['description', 'note'] as const) {
        if (frontMatter[key] !== vector.payload) problems.push(`${what}: ${key} stored as ${JSON.stringify(frontMatter[key])}`);
      }
      if (JSON.stringify(frontMatter.notes) !== JSON.stringify([vector.payload])) problems.push(`${what}: notes stored as ${JSON.stringify(frontMatter.notes)}`);
      problems.push(...scriptableParts(careless.render(file.text), []).map((part) => `${what}: ${part} in a careless engine`));
      const page = await request(t.app).get(location).expect(200);
      problems.push(...scriptableParts(page.text).map((part) => `${what}: ${part} on ${location}`));
    }
    for (const page of pagesListingPosts(created)) {
      const html = await request(t.app).get(page).expect(200);
      problems.push(...scriptableParts(html.text).map((part) => `${part} on ${page}`));
    }
    console.log(`[figures] script injection · upload front matter: ${XSS_VECTORS.length} inputs, ${created} posts created, ${problems.length} problems`);
    expect(problems).toEqual([]);
  }, 60_000);
});
