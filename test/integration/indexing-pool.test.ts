import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
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

describe('the indexing pool', () => {
  // The heaps here are small so that small posts reach them; the server's are 32 MB (old
  // generation) for each thread and 1 GB for a post rendered alone.
  it('renders a post too big for its thread alone, and skips one too big for any, keeping the rest', async () => {
    const { postsDir, databasePath } = tempSite('quire-pool-');
    for (let i = 1; i <= SMALL_POSTS; i++) writeFileSync(path.join(postsDir, `post-${i}.md`), FIXTURE.replace('Typed arrays in practice', `Post ${i}`));
    writeFileSync(path.join(postsDir, 'big-table.md'), tablePost('Big table', 150));
    writeFileSync(path.join(postsDir, 'huge-table.md'), tablePost('Huge table', 1000));
    const db = openDatabase(databasePath);
    onTestFinished(() => {
      db.close();
    });
    const pool = createIndexingPool(databasePath, {
      threads: 2,
      threadHeap: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
      largePostHeap: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 },
    });
    expect(pool).toBeDefined();
    onTestFinished(() => pool?.close());

    const report = await createPostStore({ db, postsDir }).reindexWith(pool);

    expect(report.added).toBe(SMALL_POSTS + 1);
    expect(report.skipped).toEqual([{ file: 'huge-table.md', reason: 'needs more than 64 MB of memory to render' }]);
    const html = (slug: string) => db.prepare('SELECT safe_html FROM posts WHERE slug = ?').pluck().get(slug) as string | undefined;
    expect(html('big-table')).toContain('<table');
    expect(html('huge-table')).toBeUndefined();
    for (let i = 1; i <= SMALL_POSTS; i++) expect(html(`post-${i}`)).toContain('<strong>contiguous memory</strong>');
  }, 60_000);

  it('renders posts above the large-post size in the lane, never in a thread', async () => {
    const { postsDir, databasePath } = tempSite('quire-pool-large-');
    for (let i = 1; i <= SMALL_POSTS; i++) writeFileSync(path.join(postsDir, `post-${i}.md`), FIXTURE.replace('Typed arrays in practice', `Post ${i}`));
    writeFileSync(path.join(postsDir, 'table-a.md'), tablePost('Table A', 40));
    writeFileSync(path.join(postsDir, 'table-b.md'), tablePost('Table B', 40));
    const db = openDatabase(databasePath);
    onTestFinished(() => {
      db.close();
    });
    // The threads could render the tables; the lane is made too small for them, so where
    // they went shows in the report.
    const pool = createIndexingPool(databasePath, {
      threads: 2,
      largePostBytes: 32 * 1024,
      largePostHeap: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 },
    });
    onTestFinished(() => pool?.close());

    const report = await createPostStore({ db, postsDir }).reindexWith(pool);

    expect(report.added).toBe(SMALL_POSTS);
    const reason = 'needs more than 2 MB of memory to render';
    expect(report.skipped.sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: 'table-a.md', reason },
      { file: 'table-b.md', reason },
    ]);
  }, 60_000);
});
