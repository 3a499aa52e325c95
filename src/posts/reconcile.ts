import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Database } from 'better-sqlite3';
import { inBatches } from './batches.js';
import { sameStat, type PostIndex, type RecordedSkip, type SkippedFile } from './index-db.js';
import { recordFromFile, type PostRecord } from './record.js';
import { RENDERING_VERSION } from './rendering-version.js';
import { uniqueSlug } from './slug.js';
import { fileNamedBy, startPlan, type IndexedFiles, type Plan, type PlannedFile, type PlanStep, type ReconcileOptions, type RecordJob, type ReindexReport } from './reconcile-plan.js';

type Deps = { db: Database; index: PostIndex; postsDir: string };

/** Renders planned files and writes their rows (a pool of worker threads, for large folders). */
export interface FileIndexer {
  index(files: PlannedFile[]): Promise<IndexedFiles>;
  /** Files bigger than this may need far more memory to render than a server has to spare. */
  readonly largePostBytes: number;
}

// Files are read, rendered and written this many at a time, each group in one transaction. A
// full rebuild of 100,000 posts in one go held every text and page at once: 3.6 GB at its peak.
// A group is bounded by its Markdown's size too: 250 long posts would hold a gigabyte.
const FILES_PER_TRANSACTION = 250;
const BYTES_PER_TRANSACTION = 4 * 1024 * 1024;

// Below this many files, starting threads costs more than it saves.
const MIN_FILES_FOR_THREADS = 64;

/**
 * Makes the index agree with the Markdown files: a file whose size, mtime and then content
 * hash differ from its row (or that has no row) is read and rendered again, and a row whose
 * file is gone is removed. Left-over temp files from an interrupted write are deleted. The
 * folder is planned a step of files at a time, and files land a group at a time, each group in
 * one transaction, then the removals in one more: a start-up's few changes are seen at once; a
 * full rebuild grows group by group, and an interrupted one resumes where it stopped (indexed
 * files are recognised by size and mtime).
 */
export function reconcile(deps: Deps, options?: ReconcileOptions): ReindexReport {
  const plan = startPlan(deps.index, deps.postsDir, options);
  for (let step = plan.next(); step; step = plan.next()) applyStep(deps, plan, step, indexFiles(deps, step.files));
  return finishPlan(deps, plan);
}

/** The same, with the files handed to `indexer` (worker threads that render and write them). */
export async function reconcileWith(deps: Deps, indexer: FileIndexer | undefined, options?: ReconcileOptions): Promise<ReindexReport> {
  const plan = startPlan(deps.index, deps.postsDir, options);
  options?.onProgress?.(plan.progress());
  for (let step = plan.next(); step; step = plan.next()) {
    applyStep(deps, plan, step, await indexStep(deps, indexer, step.files));
    options?.onProgress?.(plan.progress());
    // A server may be serving meanwhile (and waiting to listen): a step of unchanged files
    // takes this thread ~40 ms at 100,000 posts, and the next waits for its requests.
    await nextTurn();
  }
  return finishPlan(deps, plan);
}

/**
 * A step of many files goes to the threads; a few are rendered here, but never a large one:
 * a hand-written file of megabytes of table cells rendered in this thread took the server to
 * 1.3 GB, and one needing more would end it; the indexer renders it in a heap of its own.
 */
async function indexStep(deps: Deps, indexer: FileIndexer | undefined, files: PlannedFile[]): Promise<IndexedFiles> {
  if (!indexer) return indexFiles(deps, files);
  if (files.length >= MIN_FILES_FOR_THREADS) return indexer.index(files);
  const large = files.filter((file) => file.stat.size > indexer.largePostBytes);
  if (large.length === 0) return indexFiles(deps, files);
  const indexed = indexFiles(deps, files.filter((file) => file.stat.size <= indexer.largePostBytes));
  addIndexed(indexed, await indexer.index(large));
  return indexed;
}

/** Renders files and writes their rows in this thread, one transaction per group of files. */
export function indexFiles({ db, index }: Pick<Deps, 'db' | 'index'>, files: PlannedFile[]): IndexedFiles {
  const done: IndexedFiles = { added: 0, updated: 0, skipped: [] };
  for (const group of inBatches(files, FILES_PER_TRANSACTION, BYTES_PER_TRANSACTION)) {
    const records = group.map(({ job }) => recordOf(job));
    // IMMEDIATE: the worker threads write at the same time, each on its own connection. A
    // deferred transaction could find the index changed by another at its first write and fail
    // at once (SQLITE_BUSY_SNAPSHOT); this one waits for the write lock from the start.
    db.transaction(() => {
      group.forEach(({ job, stat, isNew }, i) => {
        const record = records[i];
        if (!record || record instanceof Error) {
          // A file that no longer parses keeps its last good row rather than vanishing from the site.
          done.skipped.push({ file: job.fileName, reason: record?.message ?? 'not rendered', stat });
          return;
        }
        index.put({ ...record, slug: isNew ? slugUnderWriteLock(index, job) : record.slug }, stat);
        if (isNew) done.added++;
        else done.updated++;
      });
    }).immediate();
  }
  return done;
}

/**
 * A new file's slug, decided again under the write lock: the server may have written rows since
 * the plan gave it one (a reindex beside a live server, or a start-up that serves while it
 * reconciles). A row of this file's own (the server indexed it meanwhile) keeps its slug. A
 * post the author published meanwhile under the slug planned for a hand-named file keeps it,
 * and the file takes the next free one. A slug-named file keeps its name's slug, as always.
 */
function slugUnderWriteLock(index: PostIndex, job: RecordJob): string {
  const indexedMeanwhile = index.file(job.fileName);
  if (indexedMeanwhile) return indexedMeanwhile.slug;
  const slugNamed = job.fileName === `${job.slug}.md`;
  if (slugNamed || !index.hasSlug(job.slug)) return job.slug;
  const dir = path.dirname(job.path);
  return uniqueSlug(job.slug, (slug) => index.hasSlug(slug) || fileNamedBy(dir, slug));
}

function recordOf(job: RecordJob): PostRecord | Error {
  try {
    return recordFromFile(job.slug, job.fileName, readFileSync(job.path, 'utf8'), new Date(job.mtimeMs));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** A step's stat updates, in one transaction, once its files are indexed; and its counts. */
function applyStep({ db, index }: Deps, plan: Plan, step: PlanStep, indexed: IndexedFiles): void {
  if (step.statUpdates.length > 0) {
    db.transaction(() => {
      for (const { slug, stat } of step.statUpdates) index.setFileStat(slug, stat);
    }).immediate();
  }
  plan.count(indexed);
}

/** Adds what `more` indexed to `total`. */
export function addIndexed(total: IndexedFiles, more: IndexedFiles): void {
  total.added += more.added;
  total.updated += more.updated;
  total.skipped.push(...more.skipped);
}

/** The removals and the skipped files, in one transaction, once every file is indexed. */
function finishPlan({ db, index }: Deps, plan: Plan): ReindexReport {
  const { report } = plan;
  report.skipped = plan.skippedFiles.map(({ file, reason }) => ({ file, reason }));
  const skippedChanged = !sameSkips(index.skippedFiles(), plan.skippedFiles);
  // Nothing to change takes no write lock: `npm run reindex` may hold it.
  if (plan.removals.length === 0 && !skippedChanged) return report;
  db.transaction(() => {
    // Asked again now: the server may have written a post since the folder was listed (its row
    // is then newer than the listing), and its row must stay.
    for (const { slug, file } of plan.removals) {
      if (statSync(file, { throwIfNoEntry: false })?.isFile()) continue;
      index.remove(slug);
      report.removed++;
    }
    if (skippedChanged) index.setSkippedFiles(plan.skippedFiles);
  }).immediate();
  return report;
}

/** True when `now` records the same skips as `recorded` (by this renderer). */
function sameSkips(recorded: RecordedSkip[], now: SkippedFile[]): boolean {
  if (recorded.length !== now.length) return false;
  const byFile = new Map(now.map((skipped) => [skipped.file, skipped]));
  return recorded.every(({ file, reason, stat, renderingVersion }) => {
    const same = byFile.get(file);
    return same !== undefined && same.reason === reason && sameStat(same.stat, stat) && renderingVersion === RENDERING_VERSION;
  });
}
