import type { Database } from 'better-sqlite3';

/** How often to ask SQLite whether another process (`npm run reindex`) changed the index. */
const EXTERNAL_CHECK_INTERVAL_MS = 250;

/**
 * Tokens that change whenever the index does: at once for writes made by this process, and
 * within EXTERNAL_CHECK_INTERVAL_MS for commits by another connection (SQLite's data_version).
 * Page caches key on them. Asking SQLite at most every interval keeps cache hits free of I/O.
 */
export function createIndexVersion(db: Database, now: () => number = Date.now) {
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let additions = 0;
  let otherChanges = 0;
  let external = dataVersion.get() as number;
  let checkedAt = now();

  const checkExternal = () => {
    if (now() - checkedAt < EXTERNAL_CHECK_INTERVAL_MS) return;
    checkedAt = now();
    try {
      external = dataVersion.get() as number;
    } catch {
      // A closed or broken database: keep the last token; /healthz reports the problem.
    }
  };

  return {
    /** Call after this process adds a post: the listing changes, and no other post. */
    added(): void {
      additions++;
    },
    /** Call after any other change this process makes to the index. */
    bump(): void {
      otherChanges++;
    },
    /** Changes with every change to the index. */
    current(): string {
      checkExternal();
      return `${otherChanges}:${external}:${additions}`;
    },
    /** Changes whenever a post already indexed may have changed: with every change but an addition here. */
    ofExistingPosts(): string {
      checkExternal();
      return `${otherChanges}:${external}`;
    },
  };
}
