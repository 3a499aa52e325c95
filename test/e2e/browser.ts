import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Locator, type Page, type Response } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { makeTestApp, type TestAppOptions } from '../helpers/app.js';

/**
 * The end-to-end tests need tools from outside npm (Debian's Chromium, a Java runtime).
 * In CI a missing tool is a failure: a green build must mean the browser tests ran.
 * On a laptop, the tests that need it are skipped, with a warning nobody can miss.
 */
export function requireTool(name: string, present: boolean, install: string): boolean {
  if (present) return true;
  const message = `${name} is missing: ${install}`;
  if (isCI()) throw new Error(message);
  const line = '!'.repeat(78);
  process.stderr.write(`\n${line}\n!!  ${message}\n!!  The tests that need ${name} are SKIPPED. Install it with:\n!!\n!!      ${install}\n${line}\n\n`);
  return false;
}

function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

let chromiumChecked: boolean | undefined;

/**
 * For `describe.skipIf(!browserAvailable())`: false (after a loud warning) when Chromium is
 * missing outside CI; throws in CI, which fails the test file.
 */
export function browserAvailable(): boolean {
  chromiumChecked ??= requireTool('Chromium', existsSync(CHROMIUM_PATH), 'apt-get install -y chromium');
  return chromiumChecked;
}

/**
 * Debian's Chromium, headless. One per test file: contexts keep the tests apart.
 * - `offline`: nothing but 127.0.0.1 can be reached. No host name resolves, and every other
 *   address goes to a proxy port where nothing listens. Pages showing hostile content may ask
 *   for anything; nothing leaves the machine (the request fails at once, and is still seen).
 * - `manyPages`: for a test that opens hundreds of pages. Without the back/forward cache and
 *   RenderDocument, a navigation just replaces the document, for half the CPU time.
 */
export function launchBrowser({ offline = false, manyPages = false } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // No sandbox: CI runs as root in a container. The rest keep Chromium off the network
    // and quiet, so the only requests a page makes are the ones the site asks for.
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...(offline ? ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--proxy-server=http://127.0.0.1:9'] : []),
      ...(manyPages ? ['--disable-back-forward-cache', '--disable-features=BackForwardCache,RenderDocument'] : []),
    ],
  });
}

/**
 * The real app (temp posts folder and database, see makeTestApp) on a real HTTP server on a
 * free port of 127.0.0.1. Call it inside a test: everything is closed when the test ends.
 */
export async function startServer(options: TestAppOptions = {}) {
  const testApp = makeTestApp(options);
  const server = createServer(testApp.app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { ...testApp, baseURL: `http://127.0.0.1:${port}` };
}

export interface OpenPageOptions {
  width: number;
  height?: number;
}

/**
 * A page in a fresh browser context (its own cookies) on the server at `baseURL`, so that
 * `page.goto('/')` works; watched for problems from its first request. Closed when the test ends.
 */
export async function openPage(browser: Browser, baseURL: string, { width, height = 800 }: OpenPageOptions) {
  const context = await browser.newContext({ baseURL, viewport: { width, height } });
  onTestFinished(() => context.close());
  const page = await context.newPage();
  const watcher = await watchPage(page);
  return { context, page, watcher };
}

/** What went wrong on a page, recorded as it happened. */
export interface PageWatcher {
  consoleErrors: { text: string; url: string }[];
  pageErrors: string[];
  failedRequests: string[];
  cspViolations: string[];
  /** Pages (main-frame documents) answered with a 4xx or 5xx status. */
  errorDocuments: { status: number; url: string }[];
}

/**
 * Records console errors, uncaught page errors, failed requests, CSP violations, and documents
 * answered with an error status. Chromium reports a CSP violation as a console error
 * ("Refused to … Content Security Policy"); the `securitypolicyviolation` listener catches them
 * too, whatever the wording. It is added through the DevTools protocol, which the page's CSP
 * does not govern.
 */
export async function watchPage(page: Page): Promise<PageWatcher> {
  const watcher: PageWatcher = { consoleErrors: [], pageErrors: [], failedRequests: [], cspViolations: [], errorDocuments: [] };
  page.on('console', (message) => {
    const url = message.location().url || page.url();
    if (/Content Security Policy/i.test(message.text())) watcher.cspViolations.push(`${message.text()} (at ${url})`);
    else if (message.type() === 'error') watcher.consoleErrors.push({ text: message.text(), url });
  });
  page.on('pageerror', (error) => watcher.pageErrors.push(`${error.message} (at ${page.url()})`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'failed';
    // ERR_ABORTED is Chromium cancelling a request itself, mostly because the page navigated
    // away (the favicon, fetched after `load`, is often still on its way when a test moves on).
    if (reason !== 'net::ERR_ABORTED') watcher.failedRequests.push(`${request.method()} ${request.url()}: ${reason}`);
  });
  page.on('response', (response) => {
    if (isPage(page, response) && response.status() >= 400) watcher.errorDocuments.push({ status: response.status(), url: response.url() });
  });
  await page.exposeFunction('__quireCspViolation', (line: string) => watcher.cspViolations.push(line));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __quireCspViolation(line: string): void }).__quireCspViolation;
      void report(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (at ${event.documentURI}:${event.lineNumber})`);
    });
  });
  return watcher;
}

/**
 * A watcher's findings as readable lines, for `expect(problemsOf(watcher)).toEqual([])`.
 * With `errorDocumentsExpected` (error pages are what the test is about), documents answered
 * with an error status are allowed, and so is Chromium's console echo of that status
 * ("Failed to load resource: the server responded with a status of 404").
 */
export function problemsOf(watcher: PageWatcher, { errorDocumentsExpected = false } = {}): string[] {
  const errorDocumentUrls = new Set(watcher.errorDocuments.map(({ url }) => url));
  const isStatusEcho = ({ text, url }: { text: string; url: string }) =>
    errorDocumentsExpected && errorDocumentUrls.has(url) && text.startsWith('Failed to load resource: the server responded with a status of');
  return [
    ...(errorDocumentsExpected ? [] : watcher.errorDocuments.map(({ status, url }) => `error page: ${status} ${url}`)),
    ...watcher.consoleErrors.filter((entry) => !isStatusEcho(entry)).map(({ text, url }) => `console error: ${text} (at ${url})`),
    ...watcher.pageErrors.map((line) => `page error: ${line}`),
    ...watcher.failedRequests.map((line) => `failed request: ${line}`),
    ...watcher.cspViolations.map((line) => `CSP violation: ${line}`),
  ];
}

/**
 * Clicks something that loads a new document (a link, a submit button) and waits until that
 * document has loaded. Returns the status of the document's response, after any redirects.
 * Waiting for the page's `load` event, rather than for a URL, also works when a form answers
 * at the address it was posted to.
 */
export async function clickAndLoad(page: Page, target: Locator): Promise<number> {
  const isRedirect = (status: number) => status >= 300 && status < 400;
  const [answer] = await Promise.all([
    page.waitForEvent('response', (response) => isPage(page, response) && !isRedirect(response.status())),
    page.waitForEvent('load'),
    target.click(),
  ]);
  return answer.status();
}

/** Whether a response is a page loaded in the tab (not a subresource, not a frame's). */
function isPage(page: Page, response: Response): boolean {
  return response.request().isNavigationRequest() && response.frame() === page.mainFrame();
}

/** Signs in through the real sign-in form and checks that it lands on the index. */
export async function signIn(page: Page, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Password').fill(password);
  const status = await clickAndLoad(page, page.getByRole('button', { name: 'Sign in' }));
  if (status !== 200 || new URL(page.url()).pathname !== '/') throw new Error(`sign-in failed: ${status} at ${page.url()}`);
}
