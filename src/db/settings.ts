import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/**
 * A random secret made on first start and kept in the index, so that tokens signed with it
 * stay valid across restarts. Losing it (deleting the index) only signs the author out.
 */
export function getOrCreateSecret(db: Database, name: string): Buffer {
  db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(name, randomBytes(32).toString('base64'));
  const value = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(name) as string;
  return Buffer.from(value, 'base64');
}
