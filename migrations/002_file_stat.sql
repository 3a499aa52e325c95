-- The size and modification time of each file when it was indexed. Start-up compares these
-- first and reads (and hashes) only the files whose stat changed, as git and Hugo do, so a
-- large blog with an up-to-date index starts without reading every post.
ALTER TABLE posts ADD COLUMN file_size INTEGER NOT NULL DEFAULT -1;
ALTER TABLE posts ADD COLUMN file_mtime_ms INTEGER NOT NULL DEFAULT -1;
