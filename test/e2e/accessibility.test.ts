import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHOR_PASSWORD, addUnpublishableFile } from '../helpers/app.js';
import { browserAvailable, clickAndLoad, launchBrowser, openPage, problemsOf, signIn, startServer } from './browser.js';

// Injected through the DevTools protocol, which the page's CSP (no inline scripts) does not govern.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const FIXTURE_POSTS = ['typed-arrays.md', 'hand-written.md'];
const ELEVEN_TAGS = Array.from({ length: 11 }, (_, i) => `tag${i}`).join(', ');

interface PageKind {
  name: string;
  status: number;
  /** Text the page's main content must show: proof that the state under test was reached. */
  shows: string;
  /** Drives the browser to the page, the way a person would; returns the page's status. */
  reach(page: Page, context: BrowserContext): Promise<number>;
}

const visit = async (page: Page, url: string) => (await page.goto(url))?.status() ?? 0;

/** The signed-in author fills the new-post form on the index (without submitting it). */
async function fillPostForm(page: Page, fields: { title: string; content: string; tags: string }) {
  await signIn(page, AUTHOR_PASSWORD);
  await page.getByRole('textbox', { name: 'Title' }).fill(fields.title);
  await page.getByRole('textbox', { name: 'Content' }).fill(fields.content);
  await page.getByRole('textbox', { name: /^Tags/ }).fill(fields.tags);
}

const publish = (page: Page) => clickAndLoad(page, page.getByRole('button', { name: 'Publish' }));

async function tryPassword(page: Page, password: string) {
  await page.getByLabel('Password').fill(password);
  return clickAndLoad(page, page.getByRole('button', { name: 'Sign in' }));
}

const PAGE_KINDS: PageKind[] = [
  { name: 'the index, for a visitor', status: 200, shows: 'Typed arrays in practice', reach: (page) => visit(page, '/') },
  {
    name: 'the index with the new-post form and a file that could not be published, for the author',
    status: 200,
    shows: 'A file in the posts folder could not be published',
    reach: async (page) => {
      await signIn(page, AUTHOR_PASSWORD);
      return visit(page, '/');
    },
  },
  { name: 'a post with highlighted code', status: 200, shows: 'const bytes', reach: (page) => visit(page, '/posts/typed-arrays') },
  { name: 'a post with a table', status: 200, shows: 'Jekyll', reach: (page) => visit(page, '/posts/hand-written') },
  { name: 'the sign-in page', status: 200, shows: 'Password', reach: (page) => visit(page, '/login') },
  {
    name: 'the sign-in page after a wrong password',
    status: 401,
    shows: 'That password is not right.',
    reach: async (page) => {
      await visit(page, '/login');
      return tryPassword(page, 'not the password');
    },
  },
  {
    name: 'the post form with errors',
    status: 400,
    shows: 'Use at most 10 tags.',
    reach: async (page) => {
      await fillPostForm(page, { title: '   ', content: 'Kept as typed.', tags: ELEVEN_TAGS });
      return publish(page);
    },
  },
  { name: 'the 400 page (a page number that is not a number)', status: 400, shows: 'The page number must be a whole number', reach: (page) => visit(page, '/?page=abc') },
  {
    name: 'the 401 page (a post sent after the session is gone)',
    status: 401,
    shows: 'Please sign in',
    reach: async (page, context) => {
      await fillPostForm(page, { title: 'Signed out meanwhile', content: 'Body.', tags: '' });
      await context.clearCookies();
      return publish(page);
    },
  },
  {
    name: 'the 403 page (a sign-in form without its token)',
    status: 403,
    shows: 'That form has expired',
    reach: async (page) => {
      await visit(page, '/login');
      await page.locator('input[name="_csrf"]').evaluate((input) => input.remove());
      return tryPassword(page, AUTHOR_PASSWORD);
    },
  },
  { name: 'the 404 page', status: 404, shows: 'Page not found', reach: (page) => visit(page, '/no/such/page') },
  {
    name: 'the 413 page (an upload over the request limit)',
    status: 413,
    shows: 'That is too large',
    reach: async (page) => {
      await fillPostForm(page, { title: 'Too big', content: '', tags: '' });
      await page.getByLabel('Markdown file').setInputFiles({ name: 'big.md', mimeType: 'text/markdown', buffer: Buffer.alloc(9 * 1024 * 1024, 'a') });
      return publish(page);
    },
  },
  {
    name: 'the 429 page (after ten wrong passwords)',
    status: 429,
    shows: 'Too many failed attempts',
    reach: async (page) => {
      await visit(page, '/login');
      for (let i = 0; i < 10; i++) expect(await tryPassword(page, `wrong ${i}`)).toBe(401);
      return tryPassword(page, 'wrong again');
    },
  },
];

/** axe's findings as readable lines: rule, impact, help, and each offending element. */
function describeViolations(scheme: string, results: AxeResults): string[] {
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => {
      const detail = [...node.any, ...node.all, ...node.none].map((check) => check.message).join(' ');
      return `[${scheme}] ${violation.id} (${violation.impact}): ${violation.help} — ${node.target.join(' ')} — ${detail}`;
    }),
  );
}

async function axeViolations(page: Page, scheme: 'light' | 'dark'): Promise<string[]> {
  await page.emulateMedia({ colorScheme: scheme });
  const results = await page.evaluate(() => (window as unknown as { axe: typeof import('axe-core') }).axe.run(document));
  return describeViolations(scheme, results);
}

describe.skipIf(!browserAvailable())('accessibility of every page kind (axe-core, in Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(PAGE_KINDS)('$name has no violations in light or dark mode', async ({ status, shows, reach }) => {
    const site = await startServer({ posts: FIXTURE_POSTS });
    // Listed on the author's index (readers see nothing of it).
    addUnpublishableFile(site);
    const { page, context, watcher } = await openPage(browser, site.baseURL, { width: 1280 });
    expect(await reach(page, context)).toBe(status);
    await expect(page.locator('main').textContent()).resolves.toContain(shows);

    await page.evaluate(axeSource);
    const violations = [...(await axeViolations(page, 'light')), ...(await axeViolations(page, 'dark'))];
    expect(violations).toEqual([]);
    // Error pages are expected here; anything else going wrong on the way is not.
    expect(problemsOf(watcher, { errorDocumentsExpected: true })).toEqual([]);
  });
});
