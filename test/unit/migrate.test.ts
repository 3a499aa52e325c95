import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'quire-migrate-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('migrate', () => {
  it('applies numbered files in order, once each', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '002_second.sql'), 'INSERT INTO t VALUES (2);');
    writeFileSync(path.join(dir, '001_first.sql'), 'CREATE TABLE t (n INTEGER);');
    writeFileSync(path.join(dir, 'README.md'), 'not a migration');
    const db = new Database(':memory:');
    expect(migrate(db, dir).applied).toEqual(['001_first.sql', '002_second.sql']);
    expect(migrate(db, dir).applied).toEqual([]);
    expect(db.prepare('SELECT n FROM t').pluck().all()).toEqual([2]);
  });

  it('rolls a failing migration back whole and applies nothing after it', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '001_ok.sql'), 'CREATE TABLE a (n INTEGER);');
    writeFileSync(path.join(dir, '002_broken.sql'), 'CREATE TABLE b (n INTEGER); THIS IS NOT SQL;');
    writeFileSync(path.join(dir, '003_later.sql'), 'CREATE TABLE c (n INTEGER);');
    const db = new Database(':memory:');
    expect(() => migrate(db, dir)).toThrow();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['a', 'schema_migrations']);
  });

  it('builds the shipped schema on a new database file, creating its folder', () => {
    const file = path.join(tempDir(), 'nested', 'data', 'quire.sqlite');
    const db = openDatabase(file);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['posts', 'post_tags', 'schema_migrations', 'sessions', 'settings']));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it("lets start-up check a file against its row from an index alone, never the row's page and source", () => {
    const db = openDatabase(path.join(tempDir(), 'quire.sqlite'));
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('a.md') as { detail: string }[]).map((step) => step.detail);
    const check = 'SELECT file_name, slug, content_hash, file_size, file_mtime_ms, rendering_version FROM posts INDEXED BY posts_file_check WHERE file_name = ?';
    expect(plan(check)).toEqual([expect.stringContaining('USING COVERING INDEX posts_file_check (file_name=?)')]);
    db.close();
  });
});
