import type { Database } from 'better-sqlite3';
import { FileExistsError, postFiles, type PostFiles, type WrittenFile } from './files.js';
import { createPostIndex, fileStatOf } from './index-db.js';
import { createIndexVersion } from './index-version.js';
import { fileNamedBy, type ReconcileOptions, type ReindexReport } from './reconcile-plan.js';
import { reconcile, reconcileWith, type FileIndexer } from './reconcile.js';
import { prepareInThisThread, type NewPost, type PostPreparer } from './prepare.js';
import { isSlug, slugify, uniqueSlug } from './slug.js';
import type { Page, Post, PostSummary } from './types.js';

export const POSTS_PER_PAGE = 10;

/**
 * The one way into posts. The Markdown files in `postsDir` are the truth and the SQLite index
 * is derived from them: `create()` leaves the file and its index row, or neither; `reindex()`
 * brings the index back in line with the files (new, changed and vanished ones).
 */
export interface PostStore {
  list(page: number): Page<PostSummary>;
  get(slug: string): Post | undefined;
  /** The file's text, for GET /posts/:slug.md. */
  source(slug: string): string | undefined;
  create(draft: NewPost): Promise<Post>;
  reindex(options?: ReconcileOptions): ReindexReport;
  /** The same, with the files handed to `indexer` (the worker-thread pool, for large folders). */
  reindexWith(indexer: FileIndexer | undefined, options?: ReconcileOptions): Promise<ReindexReport>;
  /** Changes whenever the index changes, here or in another process: page caches key on it. */
  version(): string;
  /**
   * Changes whenever a post already indexed may have changed (a reindex here, any change by
   * another process), but not when a post is created here: the pages of the other posts stay.
   */
  versionOfExistingPosts(): string;
  /** The files the last whole reindex could not index, by name, with why: for the author. */
  skippedFiles(): { file: string; reason: string }[];
  /** True when the index holds no post at all (a first start, or an index rebuilt from nothing). */
  isEmpty(): boolean;
  /** True when the index answers a query (for /healthz). */
  isHealthy(): boolean;
}

export interface PostStoreDeps {
  db: Database;
  postsDir: string;
  files?: PostFiles;
  /** Where new posts are rendered: this thread by default, a thread of their own in the server. */
  prepare?: PostPreparer;
  now?: () => Date;
}

export function createPostStore({ db, postsDir, files = postFiles, prepare = prepareInThisThread, now = () => new Date() }: PostStoreDeps): PostStore {
  const index = createPostIndex(db);
  const indexVersion = createIndexVersion(db);
  // Slugs of creates whose file is being written: no other create may take them meanwhile.
  // Whether a file has the name is not asked here (a stat on the main thread for every
  // create): the write itself refuses to replace a file (PostFiles.writeNew).
  const beingWritten = new Set<string>();
  const taken = (slug: string) => beingWritten.has(slug) || index.hasSlug(slug);

  /** Holds the first free slug from `base` for one create; `next()` moves past one a file has. */
  function holdSlug(base: string) {
    const foundOnDisk = new Set<string>();
    const take = () => {
      const slug = uniqueSlug(base, (candidate) => taken(candidate) || foundOnDisk.has(candidate));
      beingWritten.add(slug);
      return slug;
    };
    let slug = take();
    return {
      get slug() {
        return slug;
      },
      next() {
        beingWritten.delete(slug);
        foundOnDisk.add(slug);
        slug = take();
      },
      release: () => beingWritten.delete(slug),
    };
  }

  /**
   * Writes the post's file under the held slug, or under the next free one when a file the
   * index has not seen has that name (one added by hand since the last reindex).
   */
  async function writeUnderHeldSlug(held: ReturnType<typeof holdSlug>, text: string): Promise<WrittenFile> {
    for (;;) {
      try {
        return await files.writeNew(postsDir, `${held.slug}.md`, text);
      } catch (error) {
        if (!(error instanceof FileExistsError)) throw error;
        held.next();
      }
    }
  }

  /**
   * A reconcile beside the server (a start-up that serves meanwhile, `npm run reindex`) plans
   * slugs for new hand-named files without seeing the slugs held by creates, so it may have
   * given this one to such a file since it was held. The post's file is named by the slug,
   * which makes the slug its own: the other file's row moves to the next free slug, the one the
   * next reindex would give it. Call under the write lock; answers whether a row moved.
   */
  function takeBackSlug(slug: string, fileName: string): boolean {
    const holder = index.fileOfSlug(slug);
    if (holder === undefined || holder === fileName) return false;
    index.moveSlug(slug, uniqueSlug(slug, (candidate) => taken(candidate) || fileNamedBy(postsDir, candidate)));
    return true;
  }

  return {
    list(pageNumber) {
      const offset = (pageNumber - 1) * POSTS_PER_PAGE;
      // One extra row tells whether an older page exists, without a COUNT over the table.
      const rows = index.page(POSTS_PER_PAGE + 1, offset);
      return {
        items: rows.slice(0, POSTS_PER_PAGE),
        number: pageNumber,
        hasNewer: pageNumber > 1,
        hasOlder: rows.length > POSTS_PER_PAGE,
      };
    },

    get: (slug) => (isSlug(slug) ? index.get(slug) : undefined),
    source: (slug) => (isSlug(slug) ? index.source(slug) : undefined),

    // The slug is chosen and held before the first await, so a create preparing or writing its
    // post meanwhile never takes it; the row goes in once the file is on disk.
    async create(draft) {
      const at = now();
      const held = holdSlug(slugify(draft.title, at));
      try {
        const prepared = await prepare({ slug: held.slug, draft, at: at.toISOString() });
        const written = await writeUnderHeldSlug(held, prepared.text);
        const record = { ...prepared.record, slug: held.slug, fileName: `${held.slug}.md` };
        try {
          // IMMEDIATE, as the indexing threads' writes: `npm run reindex` may be writing too.
          const movedAnother = db.transaction(() => {
            const moved = takeBackSlug(record.slug, record.fileName);
            index.put(record, fileStatOf(written));
            return moved;
          }).immediate();
          // A post that moved changes the pages of existing posts; a new one only adds its own.
          if (movedAnother) indexVersion.bump();
          else indexVersion.added();
        } catch (error) {
          // The index refused the row: take the file back, so that neither remains.
          await files.remove(postsDir, record.fileName);
          throw error;
        }
        return record;
      } finally {
        held.release();
      }
    },

    reindex(options) {
      const report = reconcile({ db, index, postsDir }, options);
      indexVersion.bump();
      return report;
    },

    async reindexWith(indexer, options) {
      const report = await reconcileWith({ db, index, postsDir }, indexer, options);
      indexVersion.bump();
      return report;
    },

    version: () => indexVersion.current(),
    versionOfExistingPosts: () => indexVersion.ofExistingPosts(),

    skippedFiles: () => index.skippedFiles().map(({ file, reason }) => ({ file, reason })),

    isEmpty: () => index.count() === 0,

    isHealthy() {
      try {
        index.count();
        return true;
      } catch {
        return false;
      }
    },
  };
}
