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
  text: string;
  mtimeMs: number;
}

/** Renders jobs into records, in order; a job that fails gives its Error instead. */
export type RenderRecords = (jobs: RecordJob[]) => Promise<(PostRecord | Error)[]>;

/** What reconcile will change, decided from the folder and the index; rendering not yet done. */
export interface Plan {
  jobs: { job: RecordJob; stat: FileStat; isNew: boolean }[];
  statUpdates: { slug: string; stat: FileStat }[];
  removals: string[];
  report: ReindexReport;
}

// A file bigger than this was not written by Quire or by hand for a blog; reading it could
// exhaust memory, so it is reported instead.
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Makes the index agree with the Markdown files: a file whose size, mtime and then content
 * hash differ from its row (or that has no row) is read and rendered again, and a row whose
 * file is gone is removed. Left-over temp files from an interrupted write are deleted. The
 * changes land in one transaction: a reader sees the index before or after, never half-way.
 */
export function reconcile(deps: { db: Database; index: PostIndex; postsDir: string }): ReindexReport {
  const plan = planReconcile(deps.index, deps.postsDir);
  return applyPlan(deps.db, deps.index, plan, plan.jobs.map(({ job }) => renderInThisThread(job)));
}

/** The same, with the rendering handed to `render` (a pool of worker threads for large folders). */
export async function reconcileWith(deps: { db: Database; index: PostIndex; postsDir: string }, render: RenderRecords): Promise<ReindexReport> {
  const plan = planReconcile(deps.index, deps.postsDir);
  const records = await render(plan.jobs.map(({ job }) => job));
  return applyPlan(deps.db, deps.index, plan, records);
}

export function renderInThisThread(job: RecordJob): PostRecord | Error {
  try {
    return recordFromFile(job.slug, job.fileName, job.text, new Date(job.mtimeMs));
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Reads the folder and decides what must change; renders nothing. */
export function planReconcile(index: PostIndex, postsDir: string): Plan {
  const plan: Plan = { jobs: [], statUpdates: [], removals: [], report: { added: 0, updated: 0, removed: 0, unchanged: 0, skipped: [] } };
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
    const text = readFileSync(file, 'utf8');
    if (row && row.contentHash === hashText(text)) {
      plan.statUpdates.push({ slug: row.slug, stat });
      plan.report.unchanged++;
      continue;
    }
    const slug = row?.slug ?? slugForFile(fileName, taken);
    assigned.add(slug);
    plan.jobs.push({ job: { slug, fileName, text, mtimeMs: stat.mtimeMs }, stat, isNew: !row });
  }
  const present = new Set(fileNames);
  for (const { fileName, slug } of index.fileNames()) if (!present.has(fileName)) plan.removals.push(slug);
  return plan;
}

/** Writes the plan and its rendered records in one transaction. */
function applyPlan(db: Database, index: PostIndex, plan: Plan, records: (PostRecord | Error)[]): ReindexReport {
  const { report } = plan;
  db.transaction(() => {
    plan.jobs.forEach(({ job, stat, isNew }, i) => {
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
    for (const { slug, stat } of plan.statUpdates) index.setFileStat(slug, stat);
    for (const slug of plan.removals) index.remove(slug);
    report.removed = plan.removals.length;
  })();
  return report;
}

/** Files Quire wrote are named `<slug>.md`; a hand-added "My Notes.md" gets a slug of its own. */
function slugForFile(fileName: string, taken: (slug: string) => boolean): string {
  const stem = fileName.slice(0, -'.md'.length);
  if (isSlug(stem) && !taken(stem)) return stem;
  return uniqueSlug(slugify(stem), (slug) => taken(slug) || slug === stem);
}
