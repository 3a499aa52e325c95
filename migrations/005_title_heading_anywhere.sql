-- The heading a post's title was taken from is now left out of its page wherever it is (a code
-- block or an introduction may come before it), not only when it opens the body: the rows
-- indexed before are read and rendered again at the next start (see 003), slugs kept.
UPDATE posts SET file_size = -1, file_mtime_ms = -1, content_hash = '';
