import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/** Renders jobs into records, in order; a job that fails gives its Error instead. */
export type RenderRecords = (jobs: RecordJob[]) => Promise<(PostRecord | Error)[]>;

type Deps = { db: Database; index: PostIndex; postsDir: string };
type PlannedFile = { job: RecordJob; stat: FileStat; isNew: boolean };

/** What reconcile will change, decided from the folder and the index; nothing read or rendered yet. */
export interface Plan {
  files: PlannedFile[];
  statUpdates: { slug: string; stat: FileStat }[];
  removals: string[];
  report: ReindexReport;
}

// A file bigger than this was not written by Quire or by hand for a blog; reading it could
// exhaust memory, so it is reported instead.
const MAX_FILE_BYTES = 4 * 1024 * 1024;

// Files are read, rendered and written this many at a time. A full rebuild of 100,000 posts in
// one go held every text and page at once: 3.6 GB at its peak; in chunks of 1,000, 748 MB; of
// 250, 623 MB, in the same time (most of what remains is garbage the collector has not yet
// taken back: the rendered records are cloned into this thread from the workers).
const FILES_PER_CHUNK = 250;

/**
 * Makes the index agree with the Markdown files: a file whose size, mtime and then content
 * hash differ from its row (or that has no row) is read and rendered again, and a row whose
 * file is gone is removed. Left-over temp files from an interrupted write are deleted. Each
 * chunk of files lands in one transaction, then the removals in one more: a start-up's few
 * changes are seen at once; a full rebuild grows chunk by chunk, and an interrupted one
 * resumes where it stopped (indexed files are recognised by their size and mtime).
 */
export function reconcile(deps: Deps): ReindexReport {
  const plan = planReconcile(deps.index, deps.postsDir);
  for (const chunk of chunksOf(plan.files)) writeChunk(deps, plan.report, chunk, chunk.map(({ job }) => renderInThisThread(job)));
  return finishPlan(deps, plan);
}

/**
 * The same, with the rendering handed to `render` (a pool of worker threads for large folders).
 * The next chunk renders while this one is written.
 */
export async function reconcileWith(deps: Deps, render: RenderRecords): Promise<ReindexReport> {
  const plan = planReconcile(deps.index, deps.postsDir);
  const chunks = chunksOf(plan.files);
  let rendering = chunks[0] && render(chunks[0].map(({ job }) => job));
  for (let i = 0; i < chunks.length; i++) {
    const records = await rendering;
    const next = chunks[i + 1];
    rendering = next && render(next.map(({ job }) => job));
    // Awaited in the next turn; until then a failure must not count as unhandled.
    rendering?.catch(() => {});
    writeChunk(deps, plan.report, chunks[i] ?? [], records ?? []);
  }
  return finishPlan(deps, plan);
}

export function renderInThisThread(job: RecordJob): PostRecord | Error {
  try {
    const text = job.text ?? readFileSync(job.path, 'utf8');
    return recordFromFile(job.slug, job.fileName, text, new Date(job.mtimeMs));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function chunksOf<T>(items: T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += FILES_PER_CHUNK) chunks.push(items.slice(start, start + FILES_PER_CHUNK));
  return chunks;
}

/** Reads the folder and decides what must change; renders nothing. */
export function planReconcile(index: PostIndex, postsDir: string): Plan {
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
    const text = row ? readFileSync(file, 'utf8') : undefined;
    if (row && row.contentHash === hashText(text ?? '')) {
      plan.statUpdates.push({ slug: row.slug, stat });
      plan.report.unchanged++;
      continue;
    }
    const slug = row?.slug ?? slugForFile(fileName, taken);
    assigned.add(slug);
    plan.files.push({ job: { slug, fileName, path: file, ...(text === undefined ? {} : { text }), mtimeMs: stat.mtimeMs }, stat, isNew: !row });
  }
  const present = new Set(fileNames);
  for (const { fileName, slug } of index.fileNames()) if (!present.has(fileName)) plan.removals.push(slug);
  return plan;
}

/** Writes a chunk's rendered records in one transaction. */
function writeChunk({ db, index }: Deps, report: ReindexReport, chunk: PlannedFile[], records: (PostRecord | Error)[]): void {
  db.transaction(() => {
    chunk.forEach(({ job, stat, isNew }, i) => {
      const record = records[i];
      if (!record || record instanceof Error) {
        // A file that no longer parses keeps its last good row rather than vanishing from the site.
        report.skipped.push({ file: job.fileName, reason: record?.message ?? 'not rendered' });
        return;
      }
      index.put(record, stat);
      if (isNew) report.added++;
      else report.updated++;
    });
  })();
}

/** Stat updates and removals, in one transaction, once every chunk is written. */
function finishPlan({ db, index }: Deps, plan: Plan): ReindexReport {
  db.transaction(() => {
    for (const { slug, stat } of plan.statUpdates) index.setFileStat(slug, stat);
    for (const slug of plan.removals) index.remove(slug);
  })();
  plan.report.removed = plan.removals.length;
  return plan.report;
}

/** Files Quire wrote are named `<slug>.md`; a hand-added "My Notes.md" gets a slug of its own. */
function slugForFile(fileName: string, taken: (slug: string) => boolean): string {
  const stem = fileName.slice(0, -'.md'.length);
  if (isSlug(stem) && !taken(stem)) return stem;
  return uniqueSlug(slugify(stem), (slug) => taken(slug) || slug === stem);
}
