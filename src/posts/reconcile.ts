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

/** A row to remove: its file was not in the folder. */
type Removal = { slug: string; file: string };

/** Part of what reconcile will change, decided from the folder and the index; nothing rendered yet. */
interface PlanStep {
  files: PlannedFile[];
  /** Files whose stat changed but not their bytes (a copy, a touch): only the stat is recorded. */
  statUpdates: { slug: string; stat: FileStat }[];
}

// A file bigger than this was not written by Quire or by hand for a blog; reading it could
// exhaust memory, so it is reported instead.
const MAX_FILE_BYTES = 4 * 1024 * 1024;

// Files are read, rendered and written this many at a time, each group in one transaction. A
// full rebuild of 100,000 posts in one go held every text and page at once: 3.6 GB at its peak.
const FILES_PER_TRANSACTION = 250;

// Below this many files, starting threads costs more than it saves.
const MIN_FILES_FOR_THREADS = 64;

// The folder is planned and indexed this many files at a time: the plan of a whole rebuild of
// 100,000 posts took ~60 MB of this thread's heap, on top of the threads rendering them.
export const FILES_PER_PLAN_STEP = 2_000;

/**
 * Makes the index agree with the Markdown files: a file whose size, mtime and then content
 * hash differ from its row (or that has no row) is read and rendered again, and a row whose
 * file is gone is removed. Left-over temp files from an interrupted write are deleted. The
 * folder is planned a step of files at a time, and files land a group at a time, each group in
 * one transaction, then the removals in one more: a start-up's few changes are seen at once; a
 * full rebuild grows group by group, and an interrupted one resumes where it stopped (indexed
 * files are recognised by size and mtime).
 */
export function reconcile(deps: Deps): ReindexReport {
  const plan = startPlan(deps.index, deps.postsDir);
  for (let step = plan.next(); step; step = plan.next()) applyStep(deps, plan.report, step, indexFiles(deps, step.files));
  return finishPlan(deps, plan);
}

/** The same, with the files handed to `indexer` (worker threads that render and write them). */
export async function reconcileWith(deps: Deps, indexer: FileIndexer | undefined): Promise<ReindexReport> {
  const plan = startPlan(deps.index, deps.postsDir);
  for (let step = plan.next(); step; step = plan.next()) {
    const threaded = indexer && step.files.length >= MIN_FILES_FOR_THREADS;
    applyStep(deps, plan.report, step, threaded ? await indexer.index(step.files) : indexFiles(deps, step.files));
  }
  return finishPlan(deps, plan);
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

type Plan = ReturnType<typeof startPlan>;

/** Lists the folder, then decides what must change a step of files at a time; renders nothing. */
function startPlan(index: PostIndex, postsDir: string) {
  const report: ReindexReport = { added: 0, updated: 0, removed: 0, unchanged: 0, skipped: [] };
  // Rows are looked up one by one rather than loaded (every row and file entry of a blog of
  // 100,000 posts took ~90 MB at start-up), and the folder is listed by name only (a typed
  // listing made 100,000 objects, ~30 MB, that lingered for seconds): whether a name is a file
  // is told by the stat its plan takes anyway. Files already named by a slug go first, so that
  // a hand-named file can never take their slug.
  const slugNamed: string[] = [];
  const handNamed: string[] = [];
  for (const name of readdirSync(postsDir)) {
    if (TEMP_FILE.test(name)) rmSync(path.join(postsDir, name), { force: true });
    else if (!name.startsWith('.') && name.endsWith('.md')) (isSlug(name.slice(0, -3)) ? slugNamed : handNamed).push(name);
  }
  const ordered = slugNamed.concat(handNamed);
  // Rows whose file is not listed are found now, before any thread starts: found at the end, a
  // set of 100,000 names and a pass over every row added ~15 MB to a rebuild's peak.
  const removals = rowsNotListed(index, ordered, postsDir);
  // Slugs given to new files of the step being planned; the index knows those of earlier steps.
  // (Kept for the whole plan, they were 8 MB of a 100,000-post rebuild's peak.)
  const assigned = new Set<string>();
  const taken = (slug: string) => assigned.has(slug) || index.hasSlug(slug);
  // A slug is its file's (`<slug>.md`) while the file is there, indexed or not (it may fail to
  // index this time): a hand-named file never takes it.
  const named = (slug: string) => existsSync(path.join(postsDir, `${slug}.md`));
  let planned = 0;

  function planFile(fileName: string, step: PlanStep): void {
    const file = path.join(postsDir, fileName);
    // Steps are planned while earlier ones are indexed (a minute, at 100,000 posts), so a listed
    // file may be gone by now; nor is every listed name a file (a folder called notes.md).
    const stats = statSync(file, { throwIfNoEntry: false });
    if (!stats?.isFile()) {
      const row = index.file(fileName);
      if (row) removals.push({ slug: row.slug, file });
      return;
    }
    const stat = fileStatOf(stats);
    if (stat.size > MAX_FILE_BYTES) {
      report.skipped.push({ file: fileName, reason: `larger than ${MAX_FILE_BYTES} bytes` });
      return;
    }
    const row = index.file(fileName);
    // Same size and modification time as when indexed: the file has not changed.
    if (row && row.fileSize === stat.size && row.fileMtimeMs === stat.mtimeMs) {
      report.unchanged++;
      return;
    }
    // A changed stat with the same bytes (a copy, a touch) needs no render; new files are read later.
    let text: string | undefined;
    if (row) {
      text = readFileSync(file, 'utf8');
      if (row.contentHash === hashText(text)) {
        step.statUpdates.push({ slug: row.slug, stat });
        report.unchanged++;
        return;
      }
    }
    const slug = row?.slug ?? slugForFile(fileName, taken, named);
    assigned.add(slug);
    step.files.push({ job: { slug, fileName, path: file, ...(text === undefined ? {} : { text }), mtimeMs: stat.mtimeMs }, stat, isNew: !row });
  }

  return {
    report,
    /** The next step, once the last one is indexed; undefined when every file is planned. */
    next(): PlanStep | undefined {
      if (planned >= ordered.length) return undefined;
      assigned.clear();
      const step: PlanStep = { files: [], statUpdates: [] };
      for (const fileName of ordered.slice(planned, planned + FILES_PER_PLAN_STEP)) planFile(fileName, step);
      planned += FILES_PER_PLAN_STEP;
      return step;
    },
    /** Rows whose file was not in the folder, to remove once every file is indexed. */
    removals,
  };
}

function rowsNotListed(index: PostIndex, fileNames: string[], postsDir: string): Removal[] {
  // Made at the first row: an empty index (a first start, a rebuild) needs no set of every name.
  let listed: Set<string> | undefined;
  const removals: Removal[] = [];
  for (const { fileName, slug } of index.fileNames()) {
    listed ??= new Set(fileNames);
    if (!listed.has(fileName)) removals.push({ slug, file: path.join(postsDir, fileName) });
  }
  return removals;
}

/** A step's stat updates, in one transaction, once its files are indexed; and its counts. */
function applyStep({ db, index }: Deps, report: ReindexReport, step: PlanStep, indexed: IndexedFiles): void {
  if (step.statUpdates.length > 0) {
    db.transaction(() => {
      for (const { slug, stat } of step.statUpdates) index.setFileStat(slug, stat);
    }).immediate();
  }
  report.added += indexed.added;
  report.updated += indexed.updated;
  report.skipped.push(...indexed.skipped);
}

/** The removals, in one transaction, once every file is indexed. */
function finishPlan({ db, index }: Deps, plan: Plan): ReindexReport {
  const { report } = plan;
  db.transaction(() => {
    // Asked again now: the server may have written a post since the folder was listed (its row
    // is then newer than the listing), and its row must stay.
    for (const { slug, file } of plan.removals) {
      if (statSync(file, { throwIfNoEntry: false })?.isFile()) continue;
      index.remove(slug);
      report.removed++;
    }
  }).immediate();
  return report;
}

/** Files Quire wrote are named `<slug>.md`; a hand-added "My Notes.md" gets a slug of its own. */
function slugForFile(fileName: string, taken: (slug: string) => boolean, named: (slug: string) => boolean): string {
  const stem = fileName.slice(0, -'.md'.length);
  if (isSlug(stem) && !taken(stem)) return stem;
  return uniqueSlug(slugify(stem), (slug) => taken(slug) || slug === stem || named(slug));
}
