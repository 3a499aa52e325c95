import { existsSync, renameSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Logger } from '../http/log.js';
import { openDatabase } from './open.js';

// What SQLite says about a file that is damaged or is not a database at all.
const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);
// SQLite keeps recent writes beside the file; they belong to it and move with it.
const COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'];

// Up to this size a full check of every page takes well under a second.
const MAX_CHECKED_INDEX_BYTES = 256 * 1024 * 1024;

class CorruptIndexError extends Error {
  readonly code = 'SQLITE_CORRUPT';
}

/**
 * Opens the index, or replaces it when it is damaged. The index is derived from the Markdown
 * files, so it is never repaired in place: the damaged file is moved aside (kept for a post-mortem
 * as `<name>.corrupt-<timestamp>`), logged, and an empty index is made, which the start-up
 * reconcile fills from the files. Anything else that stops the database opening is rethrown.
 */
export function openIndexDatabase(file: string, log: Logger, now: () => Date = () => new Date()): Database.Database {
  try {
    return openChecked(file);
  } catch (error) {
    if (file === ':memory:' || !isCorruption(error)) throw error;
    const movedTo = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', ...COMPANION_SUFFIXES]) {
      if (existsSync(file + suffix)) renameSync(file + suffix, movedTo + suffix);
    }
    log.error({ event: 'index-corrupt', file, movedTo, error: (error as Error).message, action: 'rebuilding the index from the posts folder' });
    return openChecked(file);
  }
}

/** Opens and migrates, then reads every page once: damage in a page no query touches yet shows now. */
function openChecked(file: string): Database.Database {
  const db = openDatabase(file);
  try {
    // Reading every page of a very large index would make start-up slow (100,000 posts make
    // gigabytes); there, damage shows when a query reaches it, and deleting the file rebuilds it.
    if (file !== ':memory:' && statSync(file).size > MAX_CHECKED_INDEX_BYTES) return db;
    const verdict = db.pragma('quick_check', { simple: true });
    if (verdict !== 'ok') throw new CorruptIndexError(`quick_check: ${String(verdict)}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CORRUPTION_CODES.has(code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1'));
}
