import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { TEMP_FILE } from './files.js';
import { fileStatOf, type PostIndex } from './index-db.js';
import { hashText, recordFromFile } from './record.js';
import { isSlug, slugify, uniqueSlug } from './slug.js';

export interface ReindexReport {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** Files that could not be indexed, with the reason, for the log. */
  skipped: { file: string; reason: string }[];
}

// A file bigger than this was not written by Quire or by hand for a blog; reading it could
// exhaust memory, so it is reported instead.
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Makes the index agree with the Markdown files: a file whose content hash differs from its
 * row (or has no row) is read and rendered again, and a row whose file is gone is removed.
 * Left-over temp files from an interrupted write are deleted. One transaction: a reader sees
 * the index before or after, never half-way.
 */
export function reconcile({ db, index, postsDir }: { db: Database; index: PostIndex; postsDir: string }): ReindexReport {
  const report: ReindexReport = { added: 0, updated: 0, removed: 0, unchanged: 0, skipped: [] };
  const rowsByFile = new Map(index.files().map((row) => [row.fileName, row]));
  const slugsInUse = new Set(index.files().map((row) => row.slug));
  const seen = new Set<string>();

  const apply = db.transaction(() => {
    // Files already named by a slug go first, so that a hand-named file can never take their slug.
    const entries = readdirSync(postsDir, { withFileTypes: true }).sort(
      (a, b) => Number(isSlug(b.name.slice(0, -3))) - Number(isSlug(a.name.slice(0, -3))),
    );
    for (const entry of entries) {
      const fileName = entry.name;
      if (TEMP_FILE.test(fileName)) {
        rmSync(path.join(postsDir, fileName), { force: true });
        continue;
      }
      if (!entry.isFile() || fileName.startsWith('.') || !fileName.endsWith('.md')) continue;
      const file = path.join(postsDir, fileName);
      const stat = statSync(file);
      if (stat.size > MAX_FILE_BYTES) {
        report.skipped.push({ file: fileName, reason: `larger than ${MAX_FILE_BYTES} bytes` });
        continue;
      }
      const row = rowsByFile.get(fileName);
      seen.add(fileName);
      const fileStat = fileStatOf(stat);
      // Same size and modification time as when indexed: the file has not changed.
      if (row && row.fileSize === fileStat.size && row.fileMtimeMs === fileStat.mtimeMs) {
        report.unchanged++;
        continue;
      }
      const text = readFileSync(file, 'utf8');
      if (row && row.contentHash === hashText(text)) {
        index.setFileStat(row.slug, fileStat);
        report.unchanged++;
        continue;
      }
      const slug = row?.slug ?? slugForFile(fileName, slugsInUse);
      try {
        index.put(recordFromFile(slug, fileName, text, stat.mtime), fileStat);
        slugsInUse.add(slug);
        if (row) report.updated++;
        else report.added++;
      } catch (error) {
        // A file that no longer parses keeps its last good row rather than vanishing from the site.
        report.skipped.push({ file: fileName, reason: (error as Error).message });
      }
    }
    for (const [fileName, row] of rowsByFile) {
      if (seen.has(fileName)) continue;
      index.remove(row.slug);
      report.removed++;
    }
  });
  apply();
  return report;
}

/** Files Quire wrote are named `<slug>.md`; a hand-added "My Notes.md" gets a slug of its own. */
function slugForFile(fileName: string, slugsInUse: Set<string>): string {
  const stem = fileName.slice(0, -'.md'.length);
  if (isSlug(stem) && !slugsInUse.has(stem)) return stem;
  return uniqueSlug(slugify(stem), (slug) => slugsInUse.has(slug) || slug === stem);
}
