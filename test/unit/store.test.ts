import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { postFiles, type PostFiles } from '../../src/posts/files.js';
import { createPostIndex } from '../../src/posts/index-db.js';
import { preparePost } from '../../src/posts/prepare.js';
import { FILES_PER_PLAN_STEP } from '../../src/posts/reconcile-plan.js';
import { indexFiles, type FileIndexer } from '../../src/posts/reconcile.js';
import { createPostStore } from '../../src/posts/store.js';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setUp(files?: PostFiles) {
  const root = mkdtempSync(path.join(tmpdir(), 'quire-store-'));
  roots.push(root);
  const postsDir = path.join(root, 'posts');
  mkdirSync(postsDir);
  const db = openDatabase(path.join(root, 'quire.sqlite'));
  const store = createPostStore({ db, postsDir, ...(files ? { files } : {}), now: () => new Date('2026-11-29T10:00:00Z') });
  return { db, store, postsDir, close: () => db.close() };
}

const draft = { title: 'A post', content: 'Some **text**.', tags: ['notes'] };

describe('PostStore.create', () => {
  it('writes the file and the index row together', async () => {
    const { store, postsDir, close } = setUp();
    const post = await store.create(draft);
    expect(post.slug).toBe('a-post');
    expect(readdirSync(postsDir)).toEqual(['a-post.md']);
    expect(store.get('a-post')?.safeHtml).toContain('<strong>text</strong>');
    expect(store.list(1).items.map((p) => p.slug)).toEqual(['a-post']);
    close();
  });

  it('leaves no file when the index insert fails after the file was written', async () => {
    const { db, store, postsDir, close } = setUp();
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON posts BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    await expect(store.create(draft)).rejects.toThrow('disk full');
    expect(readdirSync(postsDir)).toEqual([]);
    expect(store.list(1).items).toEqual([]);
    close();
  });

  it('leaves no row and no temp file when the file write fails', async () => {
    const failingFiles: PostFiles = {
      ...postFiles,
      writeNew: async (dir, name, text) => {
        writeFileSync(path.join(dir, `.${name}.partial.tmp`), text.slice(0, 5));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    };
    const { store, postsDir, close } = setUp(failingFiles);
    await expect(store.create(draft)).rejects.toThrow('ENOSPC');
    expect(store.list(1).items).toEqual([]);
    // The temp file a crash would leave is cleaned at the next reconcile, never listed.
    store.reindex();
    expect(readdirSync(postsDir)).toEqual([]);
    close();
  });

  it('gives two creates of the same title, written at the same time, a file each', async () => {
    const { store, postsDir, close } = setUp();
    const posts = await Promise.all([store.create(draft), store.create(draft), store.create(draft)]);
    expect(posts.map((post) => post.slug)).toEqual(['a-post', 'a-post-2', 'a-post-3']);
    expect(readdirSync(postsDir).sort()).toEqual(['a-post-2.md', 'a-post-3.md', 'a-post.md']);
    expect(store.list(1).items).toHaveLength(3);
    close();
  });

  it('leaves no file and no row, and frees the slug, when the post cannot be prepared', async () => {
    const root = setUp();
    let refuse = true;
    const store = createPostStore({
      db: root.db,
      postsDir: root.postsDir,
      prepare: async (job) => {
        if (refuse) throw new Error('too large to render');
        return preparePost(job);
      },
    });
    await expect(store.create(draft)).rejects.toThrow('too large to render');
    expect(readdirSync(root.postsDir)).toEqual([]);
    expect(store.list(1).items).toEqual([]);
    refuse = false;
    expect((await store.create(draft)).slug).toBe('a-post');
    root.close();
  });

  it('never takes a slug whose file exists but is not yet indexed', async () => {
    const { store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, 'a-post.md'), '# Hand written\n');
    expect((await store.create(draft)).slug).toBe('a-post-2');
    close();
  });

  it('never replaces a file that appears under its slug while the post is being prepared', async () => {
    const root = setUp();
    const handWritten = path.join(root.postsDir, 'a-post.md');
    const store = createPostStore({
      db: root.db,
      postsDir: root.postsDir,
      prepare: async (job) => {
        // Added by hand (or by another process) after the slug was chosen, before the write.
        writeFileSync(handWritten, '# Hand written\n');
        return preparePost(job);
      },
    });
    const post = await store.create(draft);
    expect(post).toMatchObject({ slug: 'a-post-2', fileName: 'a-post-2.md' });
    expect(readFileSync(handWritten, 'utf8')).toBe('# Hand written\n');
    expect(readdirSync(root.postsDir).sort()).toEqual(['a-post-2.md', 'a-post.md']);
    expect(store.get('a-post-2')?.safeHtml).toContain('<strong>text</strong>');
    // The row's file stat is the file's, so a reindex finds nothing changed.
    expect(store.reindex()).toMatchObject({ added: 1, updated: 0, unchanged: 1 });
    root.close();
  });
});

describe('PostStore.reindex', () => {
  it('picks up added, changed and deleted files', async () => {
    const { store, postsDir, close } = setUp();
    await store.create(draft);
    await store.create({ ...draft, title: 'Second' });

    writeFileSync(path.join(postsDir, 'dropped-in.md'), '---\ntitle: "Dropped in"\n---\nHello.\n');
    writeFileSync(path.join(postsDir, 'a-post.md'), '---\ntitle: "A post, edited"\n---\nChanged.\n');
    unlinkSync(path.join(postsDir, 'second.md'));

    expect(store.reindex()).toMatchObject({ added: 1, updated: 1, removed: 1, unchanged: 0 });
    expect(store.get('dropped-in')?.title).toBe('Dropped in');
    expect(store.get('a-post')?.safeHtml).toContain('Changed.');
    expect(store.get('second')).toBeUndefined();
    expect(store.reindex()).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 2 });
    close();
  });

  it('beside a live server, leaves a young temp file alone (a post on its way in) and removes an old one', () => {
    const { store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, '.being-written.md.1a2b3c.tmp'), 'half a po');
    writeFileSync(path.join(postsDir, '.interrupted.md.4d5e6f.tmp'), 'half a po');
    const twoMinutesAgo = new Date(Date.now() - 2 * 60_000);
    utimesSync(path.join(postsDir, '.interrupted.md.4d5e6f.tmp'), twoMinutesAgo, twoMinutesAgo);

    expect(store.reindex({ writesMayBeInFlight: true })).toMatchObject({ added: 0, skipped: [] });
    expect(readdirSync(postsDir)).toEqual(['.being-written.md.1a2b3c.tmp']);
    // At a start-up, before any request, no write is in flight: every temp file is a leftover.
    store.reindex();
    expect(readdirSync(postsDir)).toEqual([]);
    close();
  });

  it('removes the post of a file replaced by a folder of the same name, and ignores the folder', async () => {
    const { store, postsDir, close } = setUp();
    await store.create(draft);
    unlinkSync(path.join(postsDir, 'a-post.md'));
    mkdirSync(path.join(postsDir, 'a-post.md'));
    mkdirSync(path.join(postsDir, 'never-a-post.md'));

    expect(store.reindex()).toMatchObject({ added: 0, removed: 1, skipped: [] });
    expect(store.get('a-post')).toBeUndefined();
    close();
  });

  it('rebuilds every post from the files into an empty index', async () => {
    const first = setUp();
    await first.store.create(draft);
    await first.store.create({ ...draft, title: '你好，世界' });
    const root = path.dirname(first.postsDir);
    first.close();
    rmSync(path.join(root, 'quire.sqlite'));
    const db = openDatabase(path.join(root, 'quire.sqlite'));
    const store = createPostStore({ db, postsDir: first.postsDir });
    expect(store.reindex()).toMatchObject({ added: 2 });
    expect(store.list(1).items.map((p) => p.slug).sort()).toEqual(['a-post', '你好-世界']);
    db.close();
  });

  it('reads only files whose size or modification time changed since they were indexed', async () => {
    const { store, postsDir, close } = setUp();
    await store.create(draft);
    const file = path.join(postsDir, 'a-post.md');
    // Whole seconds, so that the times survive utimes exactly.
    const indexedAt = new Date('2026-11-01T10:00:00Z');
    utimesSync(file, indexedAt, indexedAt);
    expect(store.reindex()).toMatchObject({ unchanged: 1 });
    // Same size, same mtime, different bytes: start-up trusts the stat and does not read it.
    writeFileSync(file, readFileSync(file, 'utf8').replace('text', 'TEXT'));
    utimesSync(file, indexedAt, indexedAt);
    expect(store.reindex()).toMatchObject({ unchanged: 1, updated: 0 });
    // A new mtime makes it read the file, and the new content is indexed.
    const editedAt = new Date('2026-11-02T10:00:00Z');
    utimesSync(file, editedAt, editedAt);
    expect(store.reindex()).toMatchObject({ unchanged: 0, updated: 1 });
    expect(store.get('a-post')?.safeHtml).toContain('<strong>TEXT</strong>');
    close();
  });

  /**
   * An index built by the release before `migration`, as it rendered `text`; then opened by
   * this one. Built by this release's code, then taken back to that schema: the migrations from
   * `migration` on are forgotten, and what 007-009 add dropped.
   */
  function indexBuiltBefore(migration: string, fileName: string, text: string, oldRendering: string) {
    const root = mkdtempSync(path.join(tmpdir(), 'quire-store-'));
    roots.push(root);
    const [postsDir, databasePath] = [path.join(root, 'posts'), path.join(root, 'quire.sqlite')];
    mkdirSync(postsDir);
    writeFileSync(path.join(postsDir, fileName), text);
    const old = openDatabase(databasePath);
    createPostStore({ db: old, postsDir }).reindex();
    old.exec(`UPDATE posts SET ${oldRendering}`);
    old.prepare('DELETE FROM schema_migrations WHERE name >= ?').run(migration);
    old.exec('DROP INDEX posts_file_check');
    old.exec('ALTER TABLE posts DROP COLUMN rendering_version');
    old.exec('DROP TABLE skipped_files');
    old.close();
    const db = openDatabase(databasePath);
    return { db, store: createPostStore({ db, postsDir }) };
  }

  it('renders again every post of an index built before migration 003, keeping its slug: the title heading shown once', () => {
    // As an earlier release rendered it: the title heading in the body too.
    const { db, store } = indexBuiltBefore('003', 'My Notes.md', '# My notes\n\nThe body.\n', "safe_html = '<h1>My notes</h1>\n<p>The body.</p>', excerpt = 'My notes The body.'");
    expect(store.reindex()).toMatchObject({ updated: 1, added: 0, removed: 0 });
    expect(store.get('my-notes')).toMatchObject({ title: 'My notes', excerpt: 'The body.', safeHtml: '<p>The body.</p>\n' });
    expect(store.reindex()).toMatchObject({ unchanged: 1, updated: 0 });
    db.close();
  });

  it('renders again every post of an index built before migration 005: a title heading further down shown once', () => {
    const text = 'Intro.\n\n# My notes\n\nThe body.\n';
    const { db, store } = indexBuiltBefore('005', 'My Notes.md', text, "safe_html = '<p>Intro.</p>\n<h1>My notes</h1>\n<p>The body.</p>'");
    expect(store.reindex()).toMatchObject({ updated: 1, added: 0, removed: 0 });
    expect(store.get('my-notes')).toMatchObject({ title: 'My notes', safeHtml: '<p>Intro.</p>\n<p>The body.</p>\n' });
    expect(store.reindex()).toMatchObject({ unchanged: 1, updated: 0 });
    db.close();
  });

  it('renders again every row an older renderer made, keeping its slug, and then leaves it', () => {
    const { db, store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, 'My Notes.md'), '# My notes\n\nThe body.\n');
    writeFileSync(path.join(postsDir, 'current.md'), '# Current\n');
    store.reindex();
    // As an older release left it (RENDERING_VERSION was lower then).
    db.exec("UPDATE posts SET safe_html = '<p>As the old renderer made it.</p>', rendering_version = 0 WHERE slug = 'my-notes'");
    expect(store.get('my-notes')?.safeHtml).toBe('<p>As the old renderer made it.</p>');
    expect(store.reindex()).toMatchObject({ updated: 1, unchanged: 1, added: 0, removed: 0 });
    expect(store.get('my-notes')?.safeHtml).toBe('<p>The body.</p>\n');
    expect(store.reindex()).toMatchObject({ updated: 0, unchanged: 2 });
    close();
  });

  it('gives a hand-named file a slug and ignores dotfiles and other extensions', () => {
    const { store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, 'My Notes.md'), '# My notes\n');
    writeFileSync(path.join(postsDir, '.hidden.md'), '# hidden\n');
    writeFileSync(path.join(postsDir, 'image.png'), 'not markdown');
    store.reindex();
    expect(store.list(1).items.map((p) => [p.slug, p.title])).toEqual([['my-notes', 'My notes']]);
    close();
  });

  it('never gives a hand-named file the slug of a file named by that slug', () => {
    const { store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, 'My Notes.md'), '# From the hand-named file\n');
    writeFileSync(path.join(postsDir, 'my-notes.md'), '# From the slug-named file\n');
    store.reindex();
    expect(store.get('my-notes')?.title).toBe('From the slug-named file');
    expect(store.get('my-notes-2')?.title).toBe('From the hand-named file');
    close();
  });

  it('gives hand-named files that make the same slug their slugs in the order of their names', () => {
    const { store, postsDir, close } = setUp();
    // Many, written in the reverse order, so that the folder's own order is unlikely to agree.
    const names = Array.from({ length: 20 }, (_, i) => `Notes ${'!'.repeat(i + 1)}.md`).sort();
    for (const name of [...names].reverse()) writeFileSync(path.join(postsDir, name), `# ${name}\n`);
    store.reindex();
    const slugs = names.map((_, i) => (i === 0 ? 'notes' : `notes-${i + 1}`));
    expect(slugs.map((slug) => store.get(slug)?.title)).toEqual(names);
    close();
  });

  it('keeps the slug of a file named by it for that file, even while the file cannot be indexed', () => {
    const { store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, 'my-notes.md'), '---\ntitle: [unclosed\n---\nBroken for now.\n');
    writeFileSync(path.join(postsDir, 'My Notes.md'), '# From the hand-named file\n');
    store.reindex();
    expect(store.get('my-notes')).toBeUndefined();
    expect(store.get('my-notes-2')?.title).toBe('From the hand-named file');

    writeFileSync(path.join(postsDir, 'my-notes.md'), '# Fixed\n');
    store.reindex();
    expect(store.get('my-notes')?.title).toBe('Fixed');
    close();
  });

  it('keeps that slug for its file in a folder planned over several steps', () => {
    const { store, postsDir, close } = setUp();
    // The broken slug-named file is planned in one of the first two steps, the hand-named file
    // (hand-named files come last) alone in the third.
    for (let i = 1; i < 2 * FILES_PER_PLAN_STEP; i++) writeFileSync(path.join(postsDir, `filler-${i}.md`), `# Filler ${i}\n`);
    writeFileSync(path.join(postsDir, 'my-notes.md'), '---\ntitle: [unclosed\n---\nBroken for now.\n');
    writeFileSync(path.join(postsDir, 'My Notes.md'), '# From the hand-named file\n');
    expect(store.reindex()).toMatchObject({ added: 2 * FILES_PER_PLAN_STEP });
    expect(store.get('my-notes')).toBeUndefined();
    expect(store.get('my-notes-2')?.title).toBe('From the hand-named file');
    close();
  });

  it('goes on when a file is deleted by hand while earlier steps of a rebuild are indexed', async () => {
    const { db, store, postsDir, close } = setUp();
    for (let i = 1; i <= 2 * FILES_PER_PLAN_STEP; i++) writeFileSync(path.join(postsDir, `post-${i}.md`), `# Post ${i}\n`);
    let deleted = '';
    // Indexes in this thread, as the pool would; while indexing the first step, deletes a file of the next.
    const indexer: FileIndexer = {
      index: async (files) => {
        if (!deleted) {
          const firstStep = new Set(files.map(({ job }) => job.fileName));
          deleted = readdirSync(postsDir).find((name) => !firstStep.has(name)) ?? '';
          unlinkSync(path.join(postsDir, deleted));
        }
        return indexFiles({ db, index: createPostIndex(db) }, files);
      },
      largePostBytes: Infinity,
    };
    expect(await store.reindexWith(indexer)).toMatchObject({ added: 2 * FILES_PER_PLAN_STEP - 1, skipped: [] });
    expect(store.get(deleted.slice(0, -3))).toBeUndefined();
    close();
  });

  it('lets a server serve between the steps of checking a folder that has not changed', async () => {
    const { store, postsDir, close } = setUp();
    for (let i = 1; i <= 2 * FILES_PER_PLAN_STEP; i++) writeFileSync(path.join(postsDir, `post-${i}.md`), `# Post ${i}\n`);
    store.reindex();
    const happened: string[] = [];
    const checked = store.reindexWith(undefined).then((report) => happened.push(`checked, ${report.unchanged} unchanged`));
    // A request that arrived as the check began.
    setImmediate(() => happened.push('a request served'));
    await checked;
    expect(happened).toEqual(['a request served', `checked, ${2 * FILES_PER_PLAN_STEP} unchanged`]);
    close();
  });

  it('checks a folder that has not changed without waiting for the write lock', async () => {
    const { db, store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, 'a-post.md'), '# A post\n');
    store.reindex();
    // Another process (`npm run reindex`) holds the lock; this one would wait 100 ms, then fail.
    db.pragma('busy_timeout = 100');
    const other = openDatabase(db.name);
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(await store.reindexWith(undefined)).toMatchObject({ unchanged: 1, removed: 0 });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    close();
  });

  it('reports a file too large to read, and keeps the post it was before', () => {
    const { store, postsDir, close } = setUp();
    const file = path.join(postsDir, 'grown.md');
    writeFileSync(file, '# Grown\n');
    store.reindex();
    writeFileSync(file, `# Grown\n\n${'x'.repeat(5 * 1024 * 1024)}\n`);
    expect(store.reindex().skipped).toEqual([{ file: 'grown.md', reason: expect.stringContaining('larger than') }]);
    expect(store.get('grown')?.title).toBe('Grown');
    close();
  });

  it('keeps the slug of a file the server indexed after a reindex planned it as new', async () => {
    const { db, store, postsDir, close } = setUp();
    // The plan saw a-post.md without a row; by the time it chose a slug, the server's row had
    // taken "a-post", so it chose "a-post-2" for the same file.
    await store.create(draft);
    const file = path.join(postsDir, 'a-post.md');
    const planned = { job: { slug: 'a-post-2', fileName: 'a-post.md', path: file, mtimeMs: 0 }, stat: { size: 1, mtimeMs: 0 }, isNew: true };
    expect(indexFiles({ db, index: createPostIndex(db) }, [planned]).skipped).toEqual([]);
    expect(store.get('a-post')?.title).toBe('A post');
    expect(store.get('a-post-2')).toBeUndefined();
    close();
  });

  it('never replaces a post published after a reindex planned its slug for a hand-named file', async () => {
    const { db, store, postsDir, close } = setUp();
    // The plan gave "A Post.md" the slug "a-post"; before its row was written, the author
    // published "A post", which took the same slug (the plan's slugs are not in the index yet).
    const handNamed = path.join(postsDir, 'A Post.md');
    writeFileSync(handNamed, '# From the hand-named file\n');
    await store.create(draft);
    const planned = { job: { slug: 'a-post', fileName: 'A Post.md', path: handNamed, mtimeMs: 0 }, stat: { size: 1, mtimeMs: 0 }, isNew: true };
    expect(indexFiles({ db, index: createPostIndex(db) }, [planned])).toMatchObject({ added: 1, skipped: [] });
    expect(store.get('a-post')?.title).toBe('A post');
    expect(store.get('a-post-2')?.title).toBe('From the hand-named file');
    close();
  });

  it('keeps both when a reindex gave a hand-named file the slug of a post being published', async () => {
    const root = setUp();
    const handNamed = path.join(root.postsDir, 'A Post.md');
    writeFileSync(handNamed, '---\ntitle: From the hand-named file\ntags: [notes]\n---\nBy hand.\n');
    const store = createPostStore({
      db: root.db,
      postsDir: root.postsDir,
      prepare: async (job) => {
        // While the author's "A post" is prepared, its slug held, a reconcile beside the server
        // writes the row it planned for "A Post.md" under the same slug.
        const planned = { job: { slug: 'a-post', fileName: 'A Post.md', path: handNamed, mtimeMs: 0 }, stat: { size: 1, mtimeMs: 0 }, isNew: true };
        indexFiles({ db: root.db, index: createPostIndex(root.db) }, [planned]);
        return preparePost(job);
      },
    });
    const versionBefore = store.versionOfExistingPosts();

    expect((await store.create(draft)).slug).toBe('a-post');
    expect(store.get('a-post')?.title).toBe('A post');
    expect(store.get('a-post-2')).toMatchObject({ title: 'From the hand-named file', tags: ['notes'] });
    expect(root.db.prepare("SELECT tag FROM post_tags WHERE slug = 'a-post-2'").pluck().all()).toEqual(['notes']);
    // Its page moved, so the pages kept of existing posts are not current any more.
    expect(store.versionOfExistingPosts()).not.toBe(versionBefore);
    // As the next reindex would have it.
    expect(store.reindex()).toMatchObject({ added: 0, removed: 0, skipped: [] });
    expect(store.get('a-post-2')?.title).toBe('From the hand-named file');
    root.close();
  });

  it('reports a file whose front matter is broken, and keeps going', () => {
    const { store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, 'broken.md'), '---\ntitle: [unclosed\n---\nBody\n');
    writeFileSync(path.join(postsDir, 'fine.md'), '# Fine\n');
    const report = store.reindex();
    expect(report.skipped).toEqual([{ file: 'broken.md', reason: expect.stringContaining('YAML') }]);
    expect(store.get('fine')).toBeDefined();
    close();
  });

  it('keeps the files it skipped, with why, until they are fixed or gone', () => {
    const { store, postsDir, close } = setUp();
    writeFileSync(path.join(postsDir, 'broken.md'), '---\ntitle: [unclosed\n---\nBody\n');
    writeFileSync(path.join(postsDir, 'stray.md'), '---\n- not\n- a map\n---\nBody\n');
    store.reindex();
    expect(store.skippedFiles()).toEqual([
      { file: 'broken.md', reason: expect.stringContaining('YAML') },
      { file: 'stray.md', reason: expect.stringContaining('key: value') },
    ]);

    writeFileSync(path.join(postsDir, 'broken.md'), '---\ntitle: Mended\n---\nBody\n');
    unlinkSync(path.join(postsDir, 'stray.md'));
    expect(store.reindex()).toMatchObject({ added: 1, skipped: [] });
    expect(store.skippedFiles()).toEqual([]);
    expect(store.get('broken')?.title).toBe('Mended');
    close();
  });

  /**
   * A file skipped by a reindex, then mended with the same size and modification time: only
   * reading it again would tell.
   */
  function skippedThenMendedUnseen() {
    const site = setUp();
    const file = path.join(site.postsDir, 'broken.md');
    const skippedAt = new Date('2026-11-01T10:00:00Z');
    writeFileSync(file, '---\ntitle: [unclosed\n---\nBody\n');
    utimesSync(file, skippedAt, skippedAt);
    site.store.reindex();
    writeFileSync(file, '---\ntitle: Mended ok\n---\nBody\n');
    utimesSync(file, skippedAt, skippedAt);
    return site;
  }

  it('skips a file it skipped before, unread, while it is unchanged, and reads it when asked to retry', () => {
    const { store, close } = skippedThenMendedUnseen();
    expect(store.reindex()).toMatchObject({ added: 0, skipped: [{ file: 'broken.md', reason: expect.stringContaining('YAML') }] });
    expect(store.reindex({ retrySkipped: true })).toMatchObject({ added: 1, skipped: [] });
    expect(store.get('broken')?.title).toBe('Mended ok');
    close();
  });

  it('reads a skipped file again once the renderer that skipped it is replaced', () => {
    const { db, store, close } = skippedThenMendedUnseen();
    db.exec('UPDATE skipped_files SET rendering_version = rendering_version - 1');
    expect(store.reindex()).toMatchObject({ added: 1, skipped: [] });
    close();
  });
});
