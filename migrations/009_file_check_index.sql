-- What start-up reads of each row to tell whether its file changed, in an index of its own.
-- Those columns came after the page's HTML and the source in each row, so every lookup walked
-- the row's overflow pages to reach them: a restart on 100,000 posts read ~1.6 GB of the index
-- file (from the OS's cache at best, from disk after a reboot) to check an unchanged folder.
-- The index holds ~16 MB. Building it reads every row once, at the upgrade.
CREATE INDEX posts_file_check ON posts (file_name, slug, file_size, file_mtime_ms, rendering_version, content_hash);
