-- The index of the Markdown files in POSTS_DIR. Everything here can be rebuilt from those files.
CREATE TABLE posts (
  slug            TEXT PRIMARY KEY,
  file_name       TEXT NOT NULL UNIQUE,    -- <slug>.md, or the name a hand-added file came with
  title           TEXT NOT NULL,
  date            TEXT NOT NULL,           -- ISO 8601, UTC
  updated         TEXT NOT NULL,
  draft           INTEGER NOT NULL DEFAULT 0,
  tags            TEXT NOT NULL,           -- JSON array, in the author's order
  excerpt         TEXT NOT NULL,
  reading_minutes INTEGER NOT NULL,
  safe_html       TEXT NOT NULL,           -- rendered and sanitized when the post was written
  source          TEXT NOT NULL,           -- the file's text, served as /posts/:slug.md
  content_hash    TEXT NOT NULL            -- sha256 of the file, to reconcile with POSTS_DIR
);
CREATE INDEX posts_by_date ON posts (draft, date DESC, slug);

CREATE TABLE post_tags (
  slug TEXT NOT NULL REFERENCES posts (slug) ON DELETE CASCADE,
  tag  TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (slug, tag)
);
CREATE INDEX post_tags_by_tag ON post_tags (tag);

-- Author sessions live here so that they survive a restart and sign-out can end them on the server.
CREATE TABLE sessions (
  id_hash    TEXT PRIMARY KEY,             -- sha256 of the cookie value; the value itself is never stored
  created_at INTEGER NOT NULL,             -- unix ms
  expires_at INTEGER NOT NULL
);

-- Secrets generated on first start (e.g. the CSRF key).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
