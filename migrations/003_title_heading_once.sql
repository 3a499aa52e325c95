-- A post whose body opens with a heading of its title now shows that title once: the rows
-- rendered before keep it twice (and begin their excerpt with it). Forgetting each row's file
-- stat and hash makes the next start-up (or `npm run reindex`) read and render every file
-- again, as it does a file changed by hand; slugs stay, and the files are not touched.
UPDATE posts SET file_size = -1, file_mtime_ms = -1, content_hash = '';
