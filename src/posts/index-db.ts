import type { Database } from 'better-sqlite3';
import type { PostRecord } from './record.js';
import { RENDERING_VERSION } from './rendering-version.js';
import type { Post, PostSummary } from './types.js';

interface PostRow {
  slug: string;
  title: string;
  date: string;
  updated: string;
  tags: string;
  excerpt: string;
  reading_minutes: number;
  safe_html?: string;
}

/** What start-up compares before reading a file: unchanged size and mtime mean unchanged file. */
export interface FileStat {
  size: number;
  mtimeMs: number;
}
const UNKNOWN_STAT: FileStat = { size: -1, mtimeMs: -1 };

/** Whole milliseconds: what every file system and every copy tool keeps. */
export function fileStatOf(stat: { size: number; mtimeMs: number }): FileStat {
  return { size: stat.size, mtimeMs: Math.floor(stat.mtimeMs) };
}

export const sameStat = (a: FileStat, b: FileStat): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs;

export interface IndexedFile {
  fileName: string;
  slug: string;
  contentHash: string;
  fileSize: number;
  fileMtimeMs: number;
  /** The RENDERING_VERSION that made the row. */
  renderingVersion: number;
}

/** A file a reconcile could not index: why, and its stat then (it is not read again while unchanged). */
export interface SkippedFile {
  file: string;
  reason: string;
  stat: FileStat;
}

/** A skip as recorded, with the RENDERING_VERSION that made it. */
export interface RecordedSkip extends SkippedFile {
  renderingVersion: number;
}

interface SkippedRow {
  file_name: string;
  reason: string;
  file_size: number;
  file_mtime_ms: number;
  rendering_version: number;
}

const SUMMARY_COLUMNS = 'slug, title, date, updated, tags, excerpt, reading_minutes';

/** The SQL of the post index, prepared once. Only the store uses it. */
export function createPostIndex(db: Database) {
  const statements = {
    page: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM posts WHERE draft = 0
                      ORDER BY date DESC, slug LIMIT ? OFFSET ?`),
    get: db.prepare(`SELECT ${SUMMARY_COLUMNS}, safe_html FROM posts WHERE slug = ? AND draft = 0`),
    source: db.prepare('SELECT source FROM posts WHERE slug = ? AND draft = 0').pluck(),
    hasSlug: db.prepare('SELECT 1 FROM posts WHERE slug = ?').pluck(),
    // From the index that holds these columns (migration 009), never the rows: SQLite picks the
    // unique index on file_name for a lookup, and then reads the row, overflow pages and all.
    file: db.prepare(`SELECT file_name AS fileName, slug, content_hash AS contentHash,
                        file_size AS fileSize, file_mtime_ms AS fileMtimeMs, rendering_version AS renderingVersion
                      FROM posts INDEXED BY posts_file_check WHERE file_name = ?`),
    fileNames: db.prepare('SELECT file_name AS fileName, slug FROM posts INDEXED BY posts_file_check'),
    upsert: db.prepare(`INSERT INTO posts (slug, file_name, title, date, updated, draft, tags, excerpt,
                          reading_minutes, safe_html, source, content_hash, file_size, file_mtime_ms, rendering_version)
                        VALUES (@slug, @fileName, @title, @date, @updated, @draft, @tags, @excerpt,
                          @readingMinutes, @safeHtml, @source, @contentHash, @fileSize, @fileMtimeMs, @renderingVersion)
                        ON CONFLICT (slug) DO UPDATE SET file_name = excluded.file_name,
                          title = excluded.title, date = excluded.date, updated = excluded.updated,
                          draft = excluded.draft, tags = excluded.tags, excerpt = excluded.excerpt,
                          reading_minutes = excluded.reading_minutes, safe_html = excluded.safe_html,
                          source = excluded.source, content_hash = excluded.content_hash,
                          file_size = excluded.file_size, file_mtime_ms = excluded.file_mtime_ms,
                          rendering_version = excluded.rendering_version`),
    deleteTags: db.prepare('DELETE FROM post_tags WHERE slug = ?'),
    insertTag: db.prepare('INSERT OR IGNORE INTO post_tags (slug, tag, position) VALUES (?, ?, ?)'),
    remove: db.prepare('DELETE FROM posts WHERE slug = ?'),
    setFileStat: db.prepare('UPDATE posts SET file_size = ?, file_mtime_ms = ? WHERE slug = ?'),
    fileOfSlug: db.prepare('SELECT file_name FROM posts WHERE slug = ?').pluck(),
    moveRow: db.prepare('UPDATE posts SET slug = ? WHERE slug = ?'),
    moveTags: db.prepare('UPDATE post_tags SET slug = ? WHERE slug = ?'),
    ping: db.prepare('SELECT count(*) FROM posts').pluck(),
    skipped: db.prepare('SELECT file_name, reason, file_size, file_mtime_ms, rendering_version FROM skipped_files ORDER BY file_name'),
    forgetSkipped: db.prepare('DELETE FROM skipped_files'),
    recordSkip: db.prepare(`INSERT INTO skipped_files (file_name, reason, file_size, file_mtime_ms, rendering_version)
                            VALUES (?, ?, ?, ?, ?)`),
  };

  return {
    page(limit: number, offset: number): PostSummary[] {
      return (statements.page.all(limit, offset) as PostRow[]).map(toSummary);
    },
    get(slug: string): Post | undefined {
      const row = statements.get.get(slug) as PostRow | undefined;
      return row && { ...toSummary(row), safeHtml: row.safe_html ?? '' };
    },
    source(slug: string): string | undefined {
      return statements.source.get(slug) as string | undefined;
    },
    hasSlug(slug: string): boolean {
      return statements.hasSlug.get(slug) !== undefined;
    },
    /** The row indexed from `fileName`, if any (file_name is unique, so this is one index lookup). */
    file(fileName: string): IndexedFile | undefined {
      return statements.file.get(fileName) as IndexedFile | undefined;
    },
    /** Every row's file name and slug, one at a time: a large index is never held in memory. */
    fileNames(): IterableIterator<{ fileName: string; slug: string }> {
      return statements.fileNames.iterate() as IterableIterator<{ fileName: string; slug: string }>;
    },
    /** The name of the file whose row has `slug`, if any. */
    fileOfSlug(slug: string): string | undefined {
      return statements.fileOfSlug.get(slug) as string | undefined;
    },
    /** Call inside a transaction: gives a row another slug, its tags with it. */
    moveSlug(from: string, to: string): void {
      // The tags refer to the row by its slug: checked at commit, once both have moved.
      db.pragma('defer_foreign_keys = ON');
      statements.moveRow.run(to, from);
      statements.moveTags.run(to, from);
    },
    /** Records the file's stat after a write, so the next start-up need not read it again. */
    setFileStat(slug: string, stat: FileStat): void {
      statements.setFileStat.run(stat.size, stat.mtimeMs, slug);
    },
    /** Call inside a transaction: the row and its tags change together. */
    put(record: PostRecord, stat: FileStat = UNKNOWN_STAT): void {
      statements.upsert.run({
        ...record,
        draft: record.draft ? 1 : 0,
        tags: JSON.stringify(record.tags),
        fileSize: stat.size,
        fileMtimeMs: stat.mtimeMs,
        renderingVersion: RENDERING_VERSION,
      });
      statements.deleteTags.run(record.slug);
      record.tags.forEach((tag, position) => statements.insertTag.run(record.slug, tag, position));
    },
    remove(slug: string): void {
      statements.remove.run(slug);
    },
    count(): number {
      return statements.ping.get() as number;
    },
    /** The files the last whole reconcile skipped, by name. */
    skippedFiles(): RecordedSkip[] {
      return (statements.skipped.all() as SkippedRow[]).map((row) => ({
        file: row.file_name,
        reason: row.reason,
        stat: { size: row.file_size, mtimeMs: row.file_mtime_ms },
        renderingVersion: row.rendering_version,
      }));
    },
    /** Call inside a transaction: the skipped files become `skipped`, made by this renderer. */
    setSkippedFiles(skipped: SkippedFile[]): void {
      statements.forgetSkipped.run();
      for (const { file, reason, stat } of skipped) statements.recordSkip.run(file, reason, stat.size, stat.mtimeMs, RENDERING_VERSION);
    },
  };
}

export type PostIndex = ReturnType<typeof createPostIndex>;

function toSummary(row: PostRow): PostSummary {
  return {
    slug: row.slug,
    title: row.title,
    date: row.date,
    updated: row.updated,
    tags: JSON.parse(row.tags) as string[],
    excerpt: row.excerpt,
    readingMinutes: row.reading_minutes,
  };
}
