-- The files the last whole reconcile could not index, each with why and its stat then. The
-- author's index page lists them: a file dropped into the folder that does not parse was
-- otherwise missing from the site with only a log line to say so. And start-up does not read a
-- file again while it is unchanged since it was skipped by the same renderer: a file needing
-- more memory than the large-post lane has was rendered, and failed, at every start. Derived
-- from the files like the rest of the index: each whole reconcile rewrites it.
CREATE TABLE skipped_files (
  file_name TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  file_size INTEGER NOT NULL,
  file_mtime_ms INTEGER NOT NULL,
  rendering_version INTEGER NOT NULL
);
