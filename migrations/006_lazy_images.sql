-- A post's images after its first now load as the reader scrolls to them (loading="lazy"): the
-- rows indexed before are read and rendered again at the next start (see 003), slugs kept.
UPDATE posts SET file_size = -1, file_mtime_ms = -1, content_hash = '';
