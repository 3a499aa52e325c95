import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { launchEnv, NODE_FLAGS, REINDEX_ENTRY } from '../../src/launch.js';
import { folderListing, indexedFiles, postOverHttp, signInOverHttp, startSite, tempSite } from '../helpers/real-site.js';

const POSTS = 2150;
const FIXTURE = readFileSync(path.resolve(import.meta.dirname, '../fixtures/posts/typed-arrays.md'), 'utf8');

describe('npm run reindex', () => {
  it('indexes a folder of many posts on worker threads that write their own rows, reporting files it cannot read', async () => {
    const { postsDir, databasePath } = tempSite('quire-reindex-');
    // Many batches for each thread (a thread writes 32 files per transaction).
    for (let i = 1; i <= POSTS; i++) writeFileSync(path.join(postsDir, `post-${i}.md`), FIXTURE.replace('Typed arrays in practice', `Post ${i}`));
    writeFileSync(path.join(postsDir, 'broken.md'), '---\ntitle: [unclosed\n---\nBody\n');

    const { stdout } = await promisify(execFile)(process.execPath, [...NODE_FLAGS, REINDEX_ENTRY], {
      env: launchEnv({ POSTS_DIR: postsDir, DATABASE_PATH: databasePath }),
    });
    expect(stdout).toMatch(new RegExp(`${POSTS} added, 0 updated, 0 removed, 0 unchanged`));
    expect(stdout).toMatch(/skipped broken\.md: front matter is not valid YAML/);

    const db = new Database(databasePath, { readonly: true });
    const titles = db.prepare('SELECT title FROM posts ORDER BY title').pluck().all() as string[];
    const html = db.prepare("SELECT safe_html FROM posts WHERE slug = 'post-7'").pluck().get() as string;
    db.close();
    expect(titles).toHaveLength(POSTS);
    expect(titles).toContain(`Post ${POSTS}`);
    expect(html).toContain('<strong>contiguous memory</strong>');
  });

  it('runs beside a live server taking posts: every post ends up indexed, no write refused', async () => {
    const site = tempSite('quire-reindex-live-');
    const server = await startSite(site);
    const author = await signInOverHttp(server.url);
    // Dropped in by hand while the server runs: only a reindex brings them in.
    for (let i = 1; i <= 400; i++) writeFileSync(path.join(site.postsDir, `dropped-${i}.md`), FIXTURE.replace('Typed arrays in practice', `Dropped ${i}`));

    // Posts keep coming for as long as the reindex runs, so that both write at the same time.
    let reindexing = true;
    const reindex = promisify(execFile)(process.execPath, [...NODE_FLAGS, REINDEX_ENTRY], { env: launchEnv(site.env) }).finally(() => (reindexing = false));
    const statuses: number[] = [];
    while (reindexing) {
      const res = await postOverHttp(server.url, author, { title: `Written during the reindex ${statuses.length + 1}`, content: 'Some *text*.', tags: 'live' });
      statuses.push(res.status);
    }
    const { stdout } = await reindex;

    expect(statuses.every((status) => status === 303), statuses.join(' ')).toBe(true);
    expect(stdout).toMatch(/Reindexed/);
    expect(indexedFiles(site.databasePath)).toEqual(folderListing(site.postsDir));
    expect(folderListing(site.postsDir)).toHaveLength(400 + statuses.length);
    expect(statuses.length).toBeGreaterThan(10);
  });
});
