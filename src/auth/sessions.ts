import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Author sessions, kept in the database so that they survive a restart and a sign-out ends them
 * on the server. The cookie carries a random id; only its hash is stored, so a copy of the
 * database cannot be used to sign in.
 */
export interface SessionStore {
  /** Starts a session and returns the value for the cookie. */
  create(): string;
  /** The stored id (hash) for a live session, or undefined. */
  find(cookieValue: string): string | undefined;
  destroy(cookieValue: string): void;
}

export function createSessionStore(db: Database, now: () => number = Date.now): SessionStore {
  const insert = db.prepare('INSERT INTO sessions (id_hash, created_at, expires_at) VALUES (?, ?, ?)');
  const select = db.prepare('SELECT id_hash FROM sessions WHERE id_hash = ? AND expires_at > ?').pluck();
  const remove = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const purge = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  const hash = (value: string) => createHash('sha256').update(value).digest('hex');

  return {
    create() {
      purge.run(now());
      const value = randomBytes(32).toString('base64url');
      insert.run(hash(value), now(), now() + SESSION_LIFETIME_MS);
      return value;
    },
    find(cookieValue) {
      if (!/^[\w-]{43}$/.test(cookieValue)) return undefined;
      return select.get(hash(cookieValue), now()) as string | undefined;
    },
    destroy(cookieValue) {
      remove.run(hash(cookieValue));
    },
  };
}
