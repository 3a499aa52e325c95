import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHOR_PASSWORD } from '../helpers/app.js';
import { browserAvailable, clickAndLoad, launchBrowser, openPage, problemsOf, startServer } from './browser.js';

const SCREENS = [
  { name: 'a phone', width: 390, height: 844 },
  { name: 'a desktop', width: 1280, height: 800 },
];

const TITLE = 'Zero-copy parsing with DataView';
const SLUG = 'zero-copy-parsing-with-dataview';
const CONTENT = `Reading binary formats without copying a byte.

\`\`\`ts
export function readU32(view: DataView, at: number): number {
  return view.getUint32(at, true);
}
\`\`\`

| Approach | Copies | Time per MB |
| -------- | -----: | ----------: |
| slice    | 1      | 12 ms       |
| subarray | 0      | 3 ms        |
`;

/** How far the page can scroll sideways; 0 when it fits the viewport. */
const sidewaysOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe.skipIf(!browserAvailable())('publishing in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe.each(SCREENS)('on $name ($width px wide)', ({ width, height }) => {
    it('signs in, publishes a post with code and a table, and finds it on the index', async () => {
      const { baseURL } = await startServer();
      const { page, watcher } = await openPage(browser, baseURL, { width, height });
      const overflowByPage: Record<string, number> = {};
      const measure = async () => {
        overflowByPage[new URL(page.url()).pathname] = await sidewaysOverflow(page);
      };

      // A visitor finds the way to sign in.
      expect((await page.goto('/'))?.status()).toBe(200);
      await measure();
      expect(await clickAndLoad(page, page.getByRole('link', { name: 'Sign in' }))).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/login');
      await measure();

      // Signing in lands on the index, with the new-post form.
      await page.getByLabel('Password').fill(AUTHOR_PASSWORD);
      expect(await clickAndLoad(page, page.getByRole('button', { name: 'Sign in' }))).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/');
      await expect(page.getByRole('heading', { name: 'New post' }).isVisible()).resolves.toBe(true);
      await measure();

      // Publishing lands on the post.
      await page.getByRole('textbox', { name: 'Title' }).fill(TITLE);
      await page.getByRole('textbox', { name: 'Content' }).fill(CONTENT);
      await page.getByRole('textbox', { name: /^Tags/ }).fill('typescript, binary');
      expect(await clickAndLoad(page, page.getByRole('button', { name: 'Publish' }))).toBe(200);
      expect(new URL(page.url()).pathname).toBe(`/posts/${SLUG}`);
      await measure();

      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(TITLE);
      const table = page.locator('.prose table');
      await expect(table.locator('th').allTextContents()).resolves.toEqual(['Approach', 'Copies', 'Time per MB']);
      await expect(table.locator('tbody tr').count()).resolves.toBe(2);
      await expect(table.locator('tbody tr').first().locator('td').allTextContents()).resolves.toEqual(['slice', '1', '12 ms']);

      // The code is highlighted, and the stylesheet (allowed by the CSP) colours it.
      const code = page.locator('.prose pre code');
      await expect(code.textContent()).resolves.toContain('return view.getUint32(at, true);');
      const keyword = code.locator('.hljs-keyword').first();
      await expect(keyword.textContent()).resolves.toMatch(/^(export|function|return)$/);
      const colours = await keyword.evaluate((element) => ({
        keyword: getComputedStyle(element).color,
        text: getComputedStyle(element.closest('pre') as Element).color,
      }));
      expect(colours.keyword).not.toBe(colours.text);

      // Back to the index: the post is listed.
      expect(await clickAndLoad(page, page.getByRole('link', { name: 'Test Blog' }))).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/');
      const listed = page.locator('.post-summary').getByRole('link', { name: TITLE });
      await expect(listed.getAttribute('href')).resolves.toBe(`/posts/${SLUG}`);
      await measure();

      // Nothing went wrong on any page on the way, and nothing scrolled sideways.
      expect(problemsOf(watcher)).toEqual([]);
      expect(overflowByPage).toEqual({ '/': 0, '/login': 0, [`/posts/${SLUG}`]: 0 });
    });

    it('lets a keyboard user skip to the content first, with a visible focus ring', async () => {
      const { baseURL } = await startServer();
      const { page, watcher } = await openPage(browser, baseURL, { width, height });
      await page.goto('/');

      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        const style = getComputedStyle(element);
        const box = element.getBoundingClientRect();
        return {
          text: element.textContent?.trim(),
          href: element.getAttribute('href'),
          outlineStyle: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth),
          boxShadow: style.boxShadow,
          onScreen: box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth && box.width > 0,
        };
      });
      expect(focused).toMatchObject({ text: 'Skip to content', href: '#main', onScreen: true });
      const hasOutline = focused.outlineStyle !== 'none' && focused.outlineWidth > 0;
      expect(hasOutline || focused.boxShadow !== 'none', `focus ring: ${JSON.stringify(focused)}`).toBe(true);

      // Following it moves on to the main content.
      await page.keyboard.press('Enter');
      await page.waitForURL('**/#main');
      expect(problemsOf(watcher)).toEqual([]);
    });
  });
});
