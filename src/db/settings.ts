import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/**
 * A random secret made on first start and kept in the index, so that tokens signed with it
 * stay valid across restarts. Losing it (deleting the index) only signs the author out.
 */
export function getOrCreateSecret(db: Database, name: string): Buffer {
  const read = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  // Read first: a start-up that finds the secret writes nothing, so it never waits for the
  // index's write lock, which the indexing threads may be holding.
  let value = read.get(name) as string | undefined;
  if (value === undefined) {
    db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(name, randomBytes(32).toString('base64'));
    value = read.get(name) as string;
  }
  return Buffer.from(value, 'base64');
}
