import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * On a filesystem without a journal (this machine's ext4), creating a file passes over, one by
 * one, every inode of its block group freed in the last 60 s, or 360 s while the inode table
 * block is unwritten (RECENTCY_MIN and RECENTCY_DIRTY in the kernel's fs/ext4/ialloc.c). Right
 * after a run deleted its corpus, the next run's creates cost up to twice the CPU, unevenly
 * between Quire and the baseline (which block group a folder lands in is the kernel's choice).
 * Each run notes when it deleted its folder, so that the next can say so beside the create rows.
 */
const MARKER = path.join(tmpdir(), 'quire-bench-last-cleanup.json');
const RECENCY_SECONDS = 360;

export interface RecentDeletion {
  files: number;
  secondsAgo: number;
}

/** The files in `dir` and its folders, counted before the run deletes it. */
export function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true }).length;
  } catch {
    return 0;
  }
}

export function noteDeletion(files: number): void {
  writeFileSync(MARKER, JSON.stringify({ atMs: Date.now(), files }));
}

/** The last run's deletion, if it was recent enough to slow the creates of this one. */
export function recentDeletion(): RecentDeletion | undefined {
  try {
    const { atMs, files } = JSON.parse(readFileSync(MARKER, 'utf8')) as { atMs: number; files: number };
    const secondsAgo = Math.round((Date.now() - atMs) / 1000);
    return secondsAgo < RECENCY_SECONDS ? { files, secondsAgo } : undefined;
  } catch {
    return undefined;
  }
}

/** The report's note on it: none, or one line. */
export function recentDeletionLines(deletion: RecentDeletion | undefined): string[] {
  if (!deletion) return [];
  return [`NOTE: the last bench run deleted ${deletion.files.toLocaleString('en-US')} files ${deletion.secondsAgo} s before this one started. `
    + "On a filesystem without a journal, as this project's machine's ext4, creating a file passes over the inodes freed in the last 60-360 s, "
    + `so the POST rows may be slow and uneven; for them, run again in ${RECENCY_SECONDS - deletion.secondsAgo} s or more.`];
}
