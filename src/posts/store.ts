import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { postFiles, type PostFiles } from './files.js';
import { serializePostFile } from './front-matter.js';
import { createPostIndex, fileStatOf } from './index-db.js';
import { createIndexVersion } from './index-version.js';
import type { ReconcileOptions, ReindexReport } from './reconcile-plan.js';
import { reconcile, reconcileWith, type FileIndexer } from './reconcile.js';
import { recordFromFile } from './record.js';
import { sanitizeMarkdown } from '../markdown/sanitize-markdown.js';
import { isSlug, slugify, uniqueSlug } from './slug.js';
import type { Draft, Page, Post, PostSummary } from './types.js';

export const POSTS_PER_PAGE = 10;

/** A draft as the form hands it over: `extraFrontMatter` holds unknown keys of an uploaded file. */
export interface NewPost extends Draft {
  extraFrontMatter?: Record<string, unknown>;
}

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
  /** True when the index answers a query (for /healthz). */
  isHealthy(): boolean;
}

export interface PostStoreDeps {
  db: Database;
  postsDir: string;
  files?: PostFiles;
  now?: () => Date;
}

export function createPostStore({ db, postsDir, files = postFiles, now = () => new Date() }: PostStoreDeps): PostStore {
  const index = createPostIndex(db);
  const indexVersion = createIndexVersion(db);
  // Slugs of creates whose file is being written: no other create may take them meanwhile.
  const beingWritten = new Set<string>();
  const taken = (slug: string) => beingWritten.has(slug) || index.hasSlug(slug) || existsSync(path.join(postsDir, `${slug}.md`));

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

    // The slug is chosen and held before the first await, so a create writing its file
    // meanwhile never takes it; the row goes in once the file is on disk.
    async create(draft) {
      const at = now();
      const slug = uniqueSlug(slugify(draft.title, at), taken);
      const fileName = `${slug}.md`;
      const timestamp = at.toISOString();
      const text = serializePostFile(
        { title: draft.title, date: timestamp, updated: timestamp, tags: draft.tags, draft: false },
        sanitizeMarkdown(draft.content),
        draft.extraFrontMatter,
      );
      // The row is read back from the file's text exactly as a reindex would read it.
      const record = recordFromFile(slug, fileName, text, at);

      beingWritten.add(slug);
      try {
        await files.writeAtomic(postsDir, fileName, text);
        try {
          const stat = fileStatOf(statSync(path.join(postsDir, fileName)));
          // IMMEDIATE, as the indexing threads' writes: `npm run reindex` may be writing too.
          db.transaction(() => index.put(record, stat)).immediate();
          indexVersion.bump();
        } catch (error) {
          // The index refused the row: take the file back, so that neither remains.
          await files.remove(postsDir, fileName);
          throw error;
        }
      } finally {
        beingWritten.delete(slug);
      }
      return record;
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
