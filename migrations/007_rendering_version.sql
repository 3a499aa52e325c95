-- Which version of the renderer made each row (RENDERING_VERSION in src/posts/record.ts). A
-- release that changes what the index derives from the files raises that number, and start-up
-- renders again every row made by an older one, slugs kept, files untouched. Migrations 003-006
-- did the same by forgetting every row's stat and hash: an UPDATE that rewrote every row, ~10 s
-- on an index of 100,000 posts before the server could listen. Adding a column rewrites
-- nothing; the rows made before this release read 0.
ALTER TABLE posts ADD COLUMN rendering_version INTEGER NOT NULL DEFAULT 0;
