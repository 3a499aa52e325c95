import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';

const REINDEX_ENTRY = path.resolve(import.meta.dirname, '../../dist/src/reindex.js');
const POSTS = 2150;
const FIXTURE = readFileSync(path.resolve(import.meta.dirname, '../fixtures/posts/typed-arrays.md'), 'utf8');

describe('npm run reindex', () => {
  it('indexes a folder of many posts on worker threads, chunk by chunk, reporting files it cannot read', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'quire-reindex-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const postsDir = path.join(root, 'posts');
    mkdirSync(postsDir);
    // Many chunks (reconcile.ts writes 250 files at a time), so that chunks follow one another.
    for (let i = 1; i <= POSTS; i++) writeFileSync(path.join(postsDir, `post-${i}.md`), FIXTURE.replace('Typed arrays in practice', `Post ${i}`));
    writeFileSync(path.join(postsDir, 'broken.md'), '---\ntitle: [unclosed\n---\nBody\n');
    const databasePath = path.join(root, 'data', 'quire.sqlite');

    const { stdout } = await promisify(execFile)(process.execPath, [REINDEX_ENTRY], {
      env: { PATH: process.env.PATH ?? '', POSTS_DIR: postsDir, DATABASE_PATH: databasePath },
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
});
