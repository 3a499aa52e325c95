import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { browserAvailable, launchBrowser, openPage, problemsOf, startServer } from './browser.js';

// A 1×1 transparent PNG.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/** Another host's images (another port of 127.0.0.1), and the paths asked for so far. */
async function startImageHost() {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' }).end(PIXEL);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

describe.skipIf(!browserAvailable())('images in a post, in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads the first image with the page, and one far down only when the reader scrolls to it', async () => {
    const images = await startImageHost();
    const { baseURL, store } = await startServer();
    // A long read on a phone: the second image is tens of screens below the first.
    const paragraphs = Array.from({ length: 120 }, (_, i) => `Paragraph ${i + 1} of the measurements, long enough to wrap on a phone.`).join('\n\n');
    const post = await store.create({
      title: 'A long read with figures',
      content: `![The setup](${images.origin}/setup.png)\n\n${paragraphs}\n\n![The results](${images.origin}/results.png)\n`,
      tags: [],
    });
    const { page, watcher } = await openPage(browser, baseURL, { width: 390, height: 844 });

    await page.goto(`/posts/${post.slug}`, { waitUntil: 'load' });
    expect(images.asked).toEqual(['/setup.png']);

    const results = page.getByRole('img', { name: 'The results' });
    await results.scrollIntoViewIfNeeded();
    await expect.poll(() => images.asked).toEqual(['/setup.png', '/results.png']);
    await expect.poll(() => results.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(1);
    expect(problemsOf(watcher)).toEqual([]);
  });
});
