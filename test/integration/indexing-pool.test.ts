import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import type { PoolOptions } from '../../src/posts/indexing-pool.js';
import type { ReconcileOptions } from '../../src/posts/reconcile-plan.js';
import { createPostStore } from '../../src/posts/store.js';
import { tempSite } from '../helpers/real-site.js';

// The pool runs the compiled worker (dist/, built by the test setup), as the server does.
const compiledPool = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/src/posts/indexing-pool.js')).href;
const { createIndexingPool } = (await import(compiledPool)) as typeof import('../../src/posts/indexing-pool.js');

const FIXTURE = readFileSync(path.resolve(import.meta.dirname, '../fixtures/posts/typed-arrays.md'), 'utf8');
const SMALL_POSTS = 70;

/** A post of nothing but table rows: rendering it takes far more memory than its size. */
function tablePost(title: string, kilobytes: number): string {
  const row = '| x | *y* | `z` |\n';
  return `---\ntitle: ${title}\n---\n| a | b | c |\n|---|---|---|\n${row.repeat(Math.floor((kilobytes * 1024) / row.length))}`;
}

/** A long read of prose and code: its page and text take a few times its size to hold. */
function longPost(title: string, kilobytes: number): string {
  const section = 'A paragraph of *prose* with `inline code` and [a link](https://example.com/).\n\n```js\nconst bytes = new Uint8Array(16);\n```\n\n';
  return `---\ntitle: ${title}\n---\n${section.repeat(Math.floor((kilobytes * 1024) / section.length))}`;
}

/**
 * A site of SMALL_POSTS ordinary posts plus `extra` files, reindexed through a pool made with
 * `options`; closed when the test ends.
 */
async function reindexThroughPool(extra: Record<string, string>, options: PoolOptions) {
  const { postsDir, databasePath } = tempSite('quire-pool-');
  for (let i = 1; i <= SMALL_POSTS; i++) writeFileSync(path.join(postsDir, `post-${i}.md`), FIXTURE.replace('Typed arrays in practice', `Post ${i}`));
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(postsDir, name), text);
  const db = openDatabase(databasePath);
  onTestFinished(() => {
    db.close();
  });
  const startPool = (poolOptions: PoolOptions) => {
    const pool = createIndexingPool(databasePath, { threads: 2, ...poolOptions });
    expect(pool).toBeDefined();
    onTestFinished(() => pool?.close());
    return pool;
  };
  const pool = startPool(options);
  const store = createPostStore({ db, postsDir });
  const report = await store.reindexWith(pool);
  const html = (slug: string) => db.prepare('SELECT safe_html FROM posts WHERE slug = ?').pluck().get(slug) as string | undefined;
  return {
    report,
    html,
    postsDir,
    reindexAgain: () => store.reindexWith(pool),
    /** Reindexes again through a new pool made with `poolOptions` (a restart with other limits). */
    reindexThroughNewPool: (poolOptions: PoolOptions, reconcileOptions?: ReconcileOptions) => store.reindexWith(startPool(poolOptions), reconcileOptions),
  };
}

describe('the indexing pool', () => {
  // The heaps here are small so that small posts reach them; the server's are 32 MB (old
  // generation) for each thread and 256 MB for a post rendered alone.
  it('renders a post too big for its thread alone, and skips one too big for any, keeping the rest', async () => {
    const { report, html } = await reindexThroughPool(
      { 'big-table.md': tablePost('Big table', 150), 'huge-table.md': tablePost('Huge table', 1000) },
      {
        threadHeap: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
        largePostHeap: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 },
      },
    );

    expect(report.added).toBe(SMALL_POSTS + 1);
    expect(report.skipped).toEqual([{ file: 'huge-table.md', reason: 'needs more than 64 MB of memory to render' }]);
    expect(html('big-table')).toContain('<table');
    expect(html('huge-table')).toBeUndefined();
    for (let i = 1; i <= SMALL_POSTS; i++) expect(html(`post-${i}`)).toContain('<strong>contiguous memory</strong>');
  }, 60_000);

  it("renders a MiB of table cells (the form's limit) in the lane's own heap, and skips a file that needs more than 256 MB", async () => {
    const { report, html } = await reindexThroughPool({ 'table.md': tablePost('Table', 1024), 'larger-table.md': tablePost('Larger table', 2048) }, {});

    expect(report.added).toBe(SMALL_POSTS + 1);
    expect(html('table')).toContain('<table');
    expect(report.skipped).toEqual([{ file: 'larger-table.md', reason: 'needs more than 256 MB of memory to render' }]);
  }, 60_000);

  it('renders many long reads in batches their thread can hold, none of them alone', async () => {
    // A thread renders any of these, but a batch of 32 of them did not fit in its heap, and
    // every retry put one in the lane; the lane is made too small for any, so a retry shows.
    const longReads = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`long-read-${i + 1}.md`, longPost(`Long read ${i + 1}`, 100)]));
    const { report, html } = await reindexThroughPool(longReads, {
      threadHeap: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
      largePostHeap: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 },
    });

    expect(report.skipped).toEqual([]);
    expect(report.added).toBe(SMALL_POSTS + 40);
    for (let i = 1; i <= 40; i++) expect(html(`long-read-${i}`)).toContain('<em>prose</em>');
  }, 60_000);

  it('renders a post above the large-post size in the lane when few files changed too', async () => {
    // A few changed files are rendered in the caller's thread, where a large one once went too.
    // The lane is made too small for it, so where it went shows in the report.
    const { postsDir, reindexAgain, html } = await reindexThroughPool(
      {},
      { largePostBytes: 32 * 1024, largePostHeap: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 } },
    );
    writeFileSync(path.join(postsDir, 'table.md'), tablePost('Table', 40));
    writeFileSync(path.join(postsDir, 'note.md'), '# A note\n\nWritten by hand.\n');

    expect(await reindexAgain()).toMatchObject({
      added: 1,
      skipped: [{ file: 'table.md', reason: 'needs more than 2 MB of memory to render' }],
    });
    expect(html('note')).toContain('Written by hand.');
  }, 60_000);

  it('does not render a file that needed too much memory again while it is unchanged, unless asked to retry', async () => {
    const tinyLane = { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 };
    const { report, html, reindexThroughNewPool } = await reindexThroughPool({ 'table.md': tablePost('Table', 40) }, { largePostBytes: 32 * 1024, largePostHeap: tinyLane });
    const skipped = [{ file: 'table.md', reason: 'needs more than 2 MB of memory to render' }];
    expect(report.skipped).toEqual(skipped);

    // The next start, with a lane that could render it: it is not tried again (a file that
    // needs more than the server's lane failed there at every start, at ~360 MB).
    expect(await reindexThroughNewPool({ largePostBytes: 32 * 1024 })).toMatchObject({ added: 0, skipped });
    expect(html('table')).toBeUndefined();
    // `npm run reindex` tries it again.
    expect(await reindexThroughNewPool({ largePostBytes: 32 * 1024 }, { retrySkipped: true })).toMatchObject({ added: 1, skipped: [] });
    expect(html('table')).toContain('<table');
  }, 60_000);

  it('renders posts above the large-post size in the lane, never in a thread', async () => {
    // The threads could render these tables; the lane is made too small for them, so where
    // they went shows in the report.
    const { report } = await reindexThroughPool(
      { 'table-a.md': tablePost('Table A', 40), 'table-b.md': tablePost('Table B', 40) },
      { largePostBytes: 32 * 1024, largePostHeap: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 } },
    );

    expect(report.added).toBe(SMALL_POSTS);
    const reason = 'needs more than 2 MB of memory to render';
    expect(report.skipped.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: 'table-a.md', reason },
      { file: 'table-b.md', reason },
    ]);
  }, 60_000);
});
