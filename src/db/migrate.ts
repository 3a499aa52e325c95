import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';

const MIGRATION_FILE = /^(\d{3})_[\w-]+\.sql$/;

export interface MigrationReport {
  applied: string[];
}

/**
 * Applies `NNN_name.sql` files from `dir` in order, each in its own transaction, and records
 * them in `schema_migrations` so that each runs once. Landed migrations are never edited:
 * a change to the schema is a new file.
 */
export function migrate(db: Database, dir: string): MigrationReport {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
  )`);
  const done = new Set(
    db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[],
  );
  const record = db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
  const pending = readdirSync(dir)
    .filter((name) => MIGRATION_FILE.test(name) && !done.has(name))
    .sort();

  for (const name of pending) {
    const sql = readFileSync(path.join(dir, name), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      record.run(name, new Date().toISOString());
    })();
  }
  return { applied: pending };
}
