-- Excerpts are made of a post's prose now, without its headings, tables and code blocks: the
-- rows indexed before are read and rendered again at the next start (see 003), slugs kept.
UPDATE posts SET file_size = -1, file_mtime_ms = -1, content_hash = '';
