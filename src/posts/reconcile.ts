import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { TEMP_FILE } from './files.js';
import { fileStatOf, type FileStat, type PostIndex } from './index-db.js';
import { hashText, recordFromFile, type PostRecord } from './record.js';
import { isSlug, slugify, uniqueSlug } from './slug.js';

export interface ReindexReport {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** Files that could not be indexed, with the reason, for the log. */
  skipped: { file: string; reason: string }[];
}

/** A file to read into a record: the expensive part (rendering), which may run on other threads. */
export interface RecordJob {
  slug: string;
  fileName: string;
  /** Where to read the file, unless `text` already holds it. */
  path: string;
  text?: string;
  mtimeMs: number;
}

type Deps = { db: Database; index: PostIndex; postsDir: string };

/** A file the plan found new or changed, with its stat to record once it is indexed. */
export type PlannedFile = { job: RecordJob; stat: FileStat; isNew: boolean };

/** What indexing some planned files did. */
export type IndexedFiles = Pick<ReindexReport, 'added' | 'updated' | 'skipped'>;

/** Renders planned files and writes their rows (a pool of worker threads, for large folders). */
export interface FileIndexer {
  index(files: PlannedFile[]): Promise<IndexedFiles>;
}

/** What reconcile will change, decided from the folder and the index; nothing read or rendered yet. */
interface Plan {
  files: PlannedFile[];
  statUpdates: { slug: string; stat: FileStat }[];
  /** Rows whose file was missing from the folder listing. */
  removals: { slug: string; file: string }[];
  report: ReindexReport;
}

// A file bigger than this was not written by Quire or by hand for a blog; reading it could
// exhaust memory, so it is reported instead.
const MAX_FILE_BYTES = 4 * 1024 * 1024;

// Files are read, rendered and written this many at a time, each group in one transaction. A
// full rebuild of 100,000 posts in one go held every text and page at once: 3.6 GB at its peak.
const FILES_PER_TRANSACTION = 250;

// Below this many files, starting threads costs more than it saves.
const MIN_FILES_FOR_THREADS = 64;

/**
 * Makes the index agree with the Markdown files: a file whose size, mtime and then content
 * hash differ from its row (or that has no row) is read and rendered again, and a row whose
 * file is gone is removed. Left-over temp files from an interrupted write are deleted. Files
 * land a group at a time, each group in one transaction, then the removals in one more: a
 * start-up's few changes are seen at once; a full rebuild grows group by group, and an
 * interrupted one resumes where it stopped (indexed files are recognised by size and mtime).
 */
export function reconcile(deps: Deps): ReindexReport {
  const plan = planReconcile(deps.index, deps.postsDir);
  return finishPlan(deps, plan, indexFiles(deps, plan.files));
}

/** The same, with the files handed to `indexer` (worker threads that render and write them). */
export async function reconcileWith(deps: Deps, indexer: FileIndexer | undefined): Promise<ReindexReport> {
  const plan = planReconcile(deps.index, deps.postsDir);
  const threaded = indexer && plan.files.length >= MIN_FILES_FOR_THREADS;
  return finishPlan(deps, plan, threaded ? await indexer.index(plan.files) : indexFiles(deps, plan.files));
}

/** Renders files and writes their rows in this thread, one transaction per group of files. */
export function indexFiles({ db, index }: Pick<Deps, 'db' | 'index'>, files: PlannedFile[]): IndexedFiles {
  const done: IndexedFiles = { added: 0, updated: 0, skipped: [] };
  for (let start = 0; start < files.length; start += FILES_PER_TRANSACTION) {
    const group = files.slice(start, start + FILES_PER_TRANSACTION);
    const records = group.map(({ job }) => recordOf(job));
    // IMMEDIATE: the worker threads write at the same time, each on its own connection. A
    // deferred transaction could find the index changed by another at its first write and fail
    // at once (SQLITE_BUSY_SNAPSHOT); this one waits for the write lock from the start.
    db.transaction(() => {
      group.forEach(({ job, stat, isNew }, i) => {
        const record = records[i];
        if (!record || record instanceof Error) {
          // A file that no longer parses keeps its last good row rather than vanishing from the site.
          done.skipped.push({ file: job.fileName, reason: record?.message ?? 'not rendered' });
          return;
        }
        // The server may have indexed a new file since the plan gave it a slug: under the write
        // lock, its row is looked up once more, and keeps its own slug.
        const indexedMeanwhile = isNew ? index.file(job.fileName) : undefined;
        index.put(indexedMeanwhile ? { ...record, slug: indexedMeanwhile.slug } : record, stat);
        if (isNew) done.added++;
        else done.updated++;
      });
    }).immediate();
  }
  return done;
}

function recordOf(job: RecordJob): PostRecord | Error {
  try {
    const text = job.text ?? readFileSync(job.path, 'utf8');
    return recordFromFile(job.slug, job.fileName, text, new Date(job.mtimeMs));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Reads the folder and decides what must change; renders nothing. */
function planReconcile(index: PostIndex, postsDir: string): Plan {
  const plan: Plan = { files: [], statUpdates: [], removals: [], report: { added: 0, updated: 0, removed: 0, unchanged: 0, skipped: [] } };
  // Rows are looked up one by one rather than loaded: on a blog of 100,000 posts, holding every
  // row and file entry at once took ~90 MB at start-up, above the whole server's budget.
  const fileNames: string[] = [];
  for (const entry of readdirSync(postsDir, { withFileTypes: true })) {
    if (TEMP_FILE.test(entry.name)) rmSync(path.join(postsDir, entry.name), { force: true });
    else if (entry.isFile() && !entry.name.startsWith('.') && entry.name.endsWith('.md')) fileNames.push(entry.name);
  }
  // Slugs given to new files in this plan; the index knows the rest.
  const assigned = new Set<string>();
  const taken = (slug: string) => assigned.has(slug) || index.hasSlug(slug);

  // Files already named by a slug go first, so that a hand-named file can never take their slug.
  const isSlugName = (fileName: string) => isSlug(fileName.slice(0, -3));
  for (const fileName of [...fileNames.filter(isSlugName), ...fileNames.filter((name) => !isSlugName(name))]) {
    const file = path.join(postsDir, fileName);
    const stat = fileStatOf(statSync(file));
    if (stat.size > MAX_FILE_BYTES) {
      plan.report.skipped.push({ file: fileName, reason: `larger than ${MAX_FILE_BYTES} bytes` });
      continue;
    }
    const row = index.file(fileName);
    // Same size and modification time as when indexed: the file has not changed.
    if (row && row.fileSize === stat.size && row.fileMtimeMs === stat.mtimeMs) {
      plan.report.unchanged++;
      continue;
    }
    // A changed stat with the same bytes (a copy, a touch) needs no render; new files are read later.
    let text: string | undefined;
    if (row) {
      text = readFileSync(file, 'utf8');
      if (row.contentHash === hashText(text)) {
        plan.statUpdates.push({ slug: row.slug, stat });
        plan.report.unchanged++;
        continue;
      }
    }
    const slug = row?.slug ?? slugForFile(fileName, taken);
    assigned.add(slug);
    plan.files.push({ job: { slug, fileName, path: file, ...(text === undefined ? {} : { text }), mtimeMs: stat.mtimeMs }, stat, isNew: !row });
  }
  const present = new Set(fileNames);
  for (const { fileName, slug } of index.fileNames()) if (!present.has(fileName)) plan.removals.push({ slug, file: path.join(postsDir, fileName) });
  return plan;
}

/** Stat updates and removals, in one transaction, once the files are indexed. */
function finishPlan({ db, index }: Deps, plan: Plan, indexed: IndexedFiles): ReindexReport {
  const { report } = plan;
  db.transaction(() => {
    for (const { slug, stat } of plan.statUpdates) index.setFileStat(slug, stat);
    // Asked again now: the server may have written a post since the folder was listed (its row
    // is then newer than the listing), and its row must stay.
    for (const { slug, file } of plan.removals) {
      if (existsSync(file)) continue;
      index.remove(slug);
      report.removed++;
    }
  }).immediate();
  report.added += indexed.added;
  report.updated += indexed.updated;
  report.skipped.push(...indexed.skipped);
  return report;
}

/** Files Quire wrote are named `<slug>.md`; a hand-added "My Notes.md" gets a slug of its own. */
function slugForFile(fileName: string, taken: (slug: string) => boolean): string {
  const stem = fileName.slice(0, -'.md'.length);
  if (isSlug(stem) && !taken(stem)) return stem;
  return uniqueSlug(slugify(stem), (slug) => taken(slug) || slug === stem);
}
