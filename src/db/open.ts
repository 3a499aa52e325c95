import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS_DIR } from '../paths.js';
import { migrate } from './migrate.js';

const BUSY_TIMEOUT_MS = 5_000;

/** Opens (creating its folder if needed) and migrates the index database. */
export function openDatabase(file: string, migrationsDir = MIGRATIONS_DIR): Database.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    // WAL lets readers go on while a post is written; NORMAL is durable at each checkpoint and
    // safe with WAL, and the Markdown files (fsynced) stay the truth if the index ever lags.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(db, migrationsDir);
    return db;
  } catch (error) {
    // A file that is not a database (or a damaged one) fails here; let the caller move it aside.
    db.close();
    throw error;
  }
}
