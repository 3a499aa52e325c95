/**
 * Failures of the machine, not of Quire: the disk is full, a folder went read-only, another
 * process holds the index. They are not bugs, so they are not 500s: the author gets a page that
 * says what happened and that nothing was saved (the store writes a post whole or not at all),
 * and the operator finds the error code in the log.
 */
export interface StorageFault {
  status: 503 | 507;
  message: string;
  /** For faults that pass by themselves (a lock), when to try again. */
  retryAfterSeconds?: number;
}

const NO_SPACE: StorageFault = {
  status: 507,
  message: 'The server has run out of storage space, so nothing was saved. Try again once space has been freed.',
};
const READ_ONLY: StorageFault = {
  status: 503,
  message: 'The server’s storage is read-only at the moment, so nothing was saved. Try again later.',
};
const NOT_PERMITTED: StorageFault = {
  status: 503,
  message: 'The server is not allowed to write to its storage at the moment, so nothing was saved. Try again later.',
};
const BUSY: StorageFault = {
  status: 503,
  message: 'The index is busy with another task, so nothing was saved. Try again in a moment.',
  retryAfterSeconds: 5,
};

/** Error codes from Node's fs (errno names) and from better-sqlite3 (SQLite result codes). */
const FAULTS_BY_CODE: Record<string, StorageFault> = {
  ENOSPC: NO_SPACE,
  EDQUOT: NO_SPACE,
  SQLITE_FULL: NO_SPACE,
  EROFS: READ_ONLY,
  SQLITE_READONLY: READ_ONLY,
  EACCES: NOT_PERMITTED,
  EPERM: NOT_PERMITTED,
  SQLITE_BUSY: BUSY,
  SQLITE_LOCKED: BUSY,
};

// SQLite's extended codes name their primary code first: SQLITE_BUSY_SNAPSHOT, SQLITE_READONLY_DBMOVED.
const SQLITE_PRIMARY_CODE = /^SQLITE_[A-Z]+/;

/** The fault an error stands for, or undefined when it is something else (maybe a bug). */
export function storageFault(error: unknown): StorageFault | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return FAULTS_BY_CODE[code] ?? FAULTS_BY_CODE[SQLITE_PRIMARY_CODE.exec(code)?.[0] ?? ''];
}
