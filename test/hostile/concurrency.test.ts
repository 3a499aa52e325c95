/**
 * Concurrency (issue 4, item 5): 200 creates at once against the real server process, 50 of
 * them with the same title, while readers load the index and post pages in a loop. Every
 * acknowledged post exists under its own slug, the folder and the index agree one to one, and
 * no reader sees a 5xx or a page cut short.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  escapeHtml,
  folderListing,
  indexedFiles,
  postOverHttp,
  signInOverHttp,
  slugOf,
  startSite,
  tempSite,
} from '../helpers/real-site.js';

const CREATES = 200;
const SAME_TITLE_CREATES = 50;
const READERS = 16;
const SAME_TITLE = 'Everyone writes this title';
// Big enough that a write takes a while, so that readers can land in the middle of one.
const BODY_PARAGRAPHS = 200;

const figures = { creates: 0, reads: 0, serverErrors: 0, incompletePages: 0 };
afterAll(() =>
  console.log(`[figures] concurrency: ${figures.creates} creates, ${figures.reads} reads, ${figures.serverErrors} answers 5xx, ${figures.incompletePages} incomplete pages`),
);

interface Acknowledged {
  slug: string;
  title: string;
  marker: string;
}

const postText = (marker: string) =>
  `${Array.from({ length: BODY_PARAGRAPHS }, (_, i) => `Paragraph ${i} of a post written under load, with *emphasis* and \`code\`.`).join('\n\n')}\n\nThe end: ${marker}\n`;

describe('200 simultaneous creates while readers read', () => {
  it('acknowledges each post once, under a unique slug, whole, with files and index rows one to one', async () => {
    const site = tempSite('quire-concurrency-');
    const server = await startSite(site);
    const session = await signInOverHttp(server.url);
    const acknowledged: Acknowledged[] = [];
    const problems: string[] = [];

    // Readers: the index; the newest post it lists (maybe not yet acknowledged: the likeliest to
    // be caught half-made); and any post already acknowledged, its page and its source.
    let writing = true;
    const reader = async (id: number) => {
      for (let round = 0; writing || round < 3; round++) {
        const index = await fetch(`${server.url}/`);
        const indexHtml = await check(`reader ${id}: GET /`, index, (html) => html.includes('</html>'));
        const newest = /href="\/posts\/([^".]+)"/.exec(indexHtml)?.[1];
        if (newest) {
          const page = await fetch(`${server.url}/posts/${newest}`);
          await check(`reader ${id}: GET /posts/${newest}`, page, (html) => html.includes('</article>') && html.includes('The end: marker-'));
        }
        const post = acknowledged[(round * 7 + id) % Math.max(1, acknowledged.length)];
        if (!post) continue;
        const page = await fetch(`${server.url}/posts/${encodeURIComponent(post.slug)}`);
        await check(`reader ${id}: GET /posts/${post.slug}`, page, (html) => html.includes('</article>') && html.includes(escapeHtml(post.title)) && html.includes(post.marker));
        const source = await fetch(`${server.url}/posts/${encodeURIComponent(post.slug)}.md`);
        await check(`reader ${id}: GET /posts/${post.slug}.md`, source, (text) => text.endsWith(`The end: ${post.marker}\n`));
      }
    };
    const check = async (what: string, res: Response, complete: (text: string) => boolean): Promise<string> => {
      figures.reads++;
      const text = await res.text();
      if (res.status >= 500) {
        figures.serverErrors++;
        problems.push(`${what}: ${res.status}`);
      } else if (res.status !== 200) {
        problems.push(`${what}: ${res.status} for something already acknowledged or always there`);
      } else if (!complete(text)) {
        figures.incompletePages++;
        problems.push(`${what}: incomplete page (${text.length} characters)`);
      }
      return text;
    };
    const readers = Array.from({ length: READERS }, (_, id) => reader(id));

    // Writers: all at once, half as url-encoded forms and half as multipart, as browsers send either.
    const creates = Array.from({ length: CREATES }, async (_, i) => {
      const title = i < SAME_TITLE_CREATES ? SAME_TITLE : `Post ${i} under load`;
      const marker = `marker-${i}-${Math.random().toString(36).slice(2)}`;
      const res = await postOverHttp(server.url, session, { title, content: postText(marker), tags: 'load' }, { multipart: i % 2 === 1 });
      figures.creates++;
      if (res.status >= 500) figures.serverErrors++;
      expect(res.status, `create ${i}: ${await res.text()}`).toBe(303);
      acknowledged.push({ slug: slugOf(res), title, marker });
    });
    const settled = await Promise.allSettled(creates);
    writing = false;
    await Promise.all(readers);
    for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;

    expect(problems).toEqual([]);
    expect(acknowledged).toHaveLength(CREATES);
    const slugs = acknowledged.map((post) => post.slug);
    expect(new Set(slugs).size).toBe(CREATES);
    const sameTitleSlugs = acknowledged.filter((post) => post.title === SAME_TITLE).map((post) => post.slug).sort();
    const expectedSameTitleSlugs = ['everyone-writes-this-title', ...Array.from({ length: SAME_TITLE_CREATES - 1 }, (_, i) => `everyone-writes-this-title-${i + 2}`)].sort();
    expect(sameTitleSlugs).toEqual(expectedSameTitleSlugs);

    // Each acknowledged post: its file on disk holds its own text, and its page shows it.
    for (const post of acknowledged) {
      const file = path.join(site.postsDir, `${post.slug}.md`);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain(`The end: ${post.marker}\n`);
    }
    const spotChecks = acknowledged.filter((_, i) => i % 10 === 0);
    for (const post of spotChecks) {
      const page = await fetch(`${server.url}/posts/${encodeURIComponent(post.slug)}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(post.marker);
    }

    // The folder and the index agree one to one, with nothing else in the folder.
    const files = folderListing(site.postsDir);
    expect(files).toEqual(slugs.map((slug) => `${slug}.md`).sort());
    expect(indexedFiles(site.databasePath)).toEqual(files);
  }, 120_000);
});
