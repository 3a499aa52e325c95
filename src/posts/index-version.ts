import type { Database } from 'better-sqlite3';

/** How often to ask SQLite whether another process (`npm run reindex`) changed the index. */
const EXTERNAL_CHECK_INTERVAL_MS = 250;

/**
 * A token that changes whenever the index does: at once for writes made by this process, and
 * within EXTERNAL_CHECK_INTERVAL_MS for commits by another connection (SQLite's data_version).
 * Page caches key on it. Asking SQLite at most every interval keeps cache hits free of I/O.
 */
export function createIndexVersion(db: Database, now: () => number = Date.now) {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let localChanges = 0;
  let external = dataVersion.get() as number;
  let checkedAt = now();

  return {
    /** Call after every change this process makes to the index. */
    bump(): void {
      localChanges++;
    },
    current(): string {
      if (now() - checkedAt >= EXTERNAL_CHECK_INTERVAL_MS) {
        checkedAt = now();
        try {
          external = dataVersion.get() as number;
        } catch {
          // A closed or broken database: keep the last token; /healthz reports the problem.
        }
      }
      return `${localChanges}:${external}`;
    },
  };
}
