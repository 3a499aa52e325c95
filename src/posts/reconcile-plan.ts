import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { TEMP_FILE } from './files.js';
import { fileStatOf, sameStat, type FileStat, type PostIndex, type SkippedFile } from './index-db.js';
import { hashText } from './record.js';
import { RENDERING_VERSION } from './rendering-version.js';
import { isSlug, slugify, uniqueSlug } from './slug.js';

/*
 * The first half of reconcile (reconcile.ts does the rest): what must change, decided from the
 * folder listing and the index, a step of files at a time. Nothing is rendered here.
 */

/** What a reconcile must know of the moment it runs in. */
export interface ReconcileOptions {
  /**
   * True when a live server may be writing a post as the folder is listed (`npm run reindex`
   * runs beside it): a young temp file is then a post on its way in, whose link must find it,
   * and only one older than TEMP_FILE_GRACE_MS is taken for an interrupted write's leftover.
   * False at the server's start-up, before it takes a request: every temp file is a leftover.
   */
  writesMayBeInFlight?: boolean;
  /**
   * True for `npm run reindex`, the author's way to try again: every file is read, those
   * skipped before included. Otherwise (start-up) a file skipped by this renderer and unchanged
   * since is skipped again unread: one needing more memory than the large-post lane has took
   * the server to ~360 MB, and seconds, at every start.
   */
  retrySkipped?: boolean;
  /** Told how many of the folder's files are checked, after each step (and once before the first). */
  onProgress?: (progress: ReconcileProgress) => void;
}

/** How far a reconcile has come: files checked (and indexed if they changed), of those listed. */
export interface ReconcileProgress {
  done: number;
  total: number;
}

// A write takes milliseconds (the form's largest post included); this leaves a stalled disk
// a long margin.
export const TEMP_FILE_GRACE_MS = 60_000;

export interface ReindexReport {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** Files that could not be indexed, with the reason: for the log, and the author's index page. */
  skipped: { file: string; reason: string }[];
}

/** What indexing some planned files did. */
export interface IndexedFiles {
  added: number;
  updated: number;
  skipped: SkippedFile[];
}

/** A file to read into a record: the expensive part (rendering), which may run on other threads. */
export interface RecordJob {
  slug: string;
  fileName: string;
  /** Where to read the file: the thread that renders it reads it. */
  path: string;
  mtimeMs: number;
}

/** A file the plan found new or changed, with its stat to record once it is indexed. */
export type PlannedFile = { job: RecordJob; stat: FileStat; isNew: boolean };

/** A row to remove: its file was not in the folder. */
export type Removal = { slug: string; file: string };

/** Part of what reconcile will change, decided from the folder and the index; nothing rendered yet. */
export interface PlanStep {
  files: PlannedFile[];
  /** Files whose stat changed but not their bytes (a copy, a touch): only the stat is recorded. */
  statUpdates: { slug: string; stat: FileStat }[];
}

// A file bigger than this was not written by Quire or by hand for a blog; reading it could
// exhaust memory, so it is reported instead.
const MAX_FILE_MB = 4;
const MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024;

// The folder is planned and indexed this many files at a time: the plan of a whole rebuild of
// 100,000 posts took ~60 MB of this thread's heap, on top of the threads rendering them.
export const FILES_PER_PLAN_STEP = 2_000;

export type Plan = ReturnType<typeof startPlan>;

/** Lists the folder, then decides what must change a step of files at a time; renders nothing. */
export function startPlan(index: PostIndex, postsDir: string, { writesMayBeInFlight = false, retrySkipped = false }: ReconcileOptions = {}) {
  const report: ReindexReport = { added: 0, updated: 0, removed: 0, unchanged: 0, skipped: [] };
  // The files skipped, with their stats: recorded, and reported, once the plan is done.
  const skippedFiles: SkippedFile[] = [];
  const skip = (skipped: SkippedFile) => void skippedFiles.push(skipped);
  const skippedBefore = new Map(
    (retrySkipped ? [] : index.skippedFiles()).filter((skipped) => skipped.renderingVersion === RENDERING_VERSION).map((skipped) => [skipped.file, skipped]),
  );
  // Rows are looked up one by one rather than loaded (every row and file entry of a blog of
  // 100,000 posts took ~90 MB at start-up), and the folder is listed by name only (a typed
  // listing made 100,000 objects, ~30 MB, that lingered for seconds): whether a name is a file
  // is told by the stat its plan takes anyway. Files already named by a slug go first, so that
  // a hand-named file can never take their slug.
  const slugNamed: string[] = [];
  const handNamed: string[] = [];
  for (const name of readdirSync(postsDir)) {
    if (TEMP_FILE.test(name)) removeLeftover(path.join(postsDir, name), writesMayBeInFlight);
    else if (!name.startsWith('.') && name.endsWith('.md')) (isSlug(name.slice(0, -3)) ? slugNamed : handNamed).push(name);
  }
  // In name order, said here rather than left to the listing (libuv happens to sort it; Node
  // does not promise it): which of two hand-named files that make one slug gets it must not
  // change from one reindex to the next.
  handNamed.sort();
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
  const named = (slug: string) => fileNamedBy(postsDir, slug);
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
    if (stat.size > MAX_FILE_BYTES) return skip({ file: fileName, reason: `larger than ${MAX_FILE_MB} MB, the most a post's file may hold`, stat });
    const row = index.file(fileName);
    // A row an older renderer made is rendered again, whatever its file did.
    const current = row?.renderingVersion === RENDERING_VERSION;
    // Same size and modification time as when indexed: the file has not changed.
    if (row && current && row.fileSize === stat.size && row.fileMtimeMs === stat.mtimeMs) {
      report.unchanged++;
      return;
    }
    const before = skippedBefore.get(fileName);
    // Skipped before and unchanged since: skipped again, unread.
    if (before && sameStat(before.stat, stat)) return skip({ file: fileName, reason: before.reason, stat });
    // A changed stat with the same bytes (a copy, a touch) needs no render. The text read to
    // tell is not kept: the thread that renders the file reads it again (from the OS's cache).
    // Kept and sent, the texts of a step held ~40 MB more at the peak of a re-render of
    // 100,000 posts. A row to render again anyway (an older renderer's) is not even read here.
    if (row && current && row.contentHash === hashText(readFileSync(file, 'utf8'))) {
      step.statUpdates.push({ slug: row.slug, stat });
      report.unchanged++;
      return;
    }
    const slug = row?.slug ?? slugForFile(fileName, taken, named);
    assigned.add(slug);
    step.files.push({ job: { slug, fileName, path: file, mtimeMs: stat.mtimeMs }, stat, isNew: !row });
  }

  return {
    report,
    /** Counts what indexing a step's files did. */
    count(indexed: IndexedFiles): void {
      report.added += indexed.added;
      report.updated += indexed.updated;
      indexed.skipped.forEach(skip);
    },
    /** The files skipped so far, with their stats: recorded and reported once the plan is done. */
    skippedFiles,
    /** Files planned in the steps handed out so far, of those listed. */
    progress: (): ReconcileProgress => ({ done: Math.min(planned, ordered.length), total: ordered.length }),
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

/** True while `<slug>.md` is in the folder, indexed or not: the slug is that file's. */
export const fileNamedBy = (postsDir: string, slug: string): boolean => existsSync(path.join(postsDir, `${slug}.md`));

function removeLeftover(tempFile: string, writesMayBeInFlight: boolean): void {
  if (writesMayBeInFlight) {
    // Stat'ed again: a temp file listed a moment ago may have been moved into place since.
    const modifiedMs = statSync(tempFile, { throwIfNoEntry: false })?.mtimeMs;
    if (modifiedMs === undefined || modifiedMs > Date.now() - TEMP_FILE_GRACE_MS) return;
  }
  rmSync(tempFile, { force: true });
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

/** Files Quire wrote are named `<slug>.md`; a hand-added "My Notes.md" gets a slug of its own. */
function slugForFile(fileName: string, taken: (slug: string) => boolean, named: (slug: string) => boolean): string {
  const stem = fileName.slice(0, -'.md'.length);
  if (isSlug(stem) && !taken(stem)) return stem;
  return uniqueSlug(slugify(stem), (slug) => taken(slug) || slug === stem || named(slug));
}
