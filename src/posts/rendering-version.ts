/**
 * The version of what the index derives from a post file: its page, excerpt, title, reading
 * time. Raise it with any change to them (the renderer, the sanitizer's allowlist, record.ts):
 * the next start-up renders again every row an older version made, while the server serves the
 * old pages meanwhile. See migration 007.
 */
export const RENDERING_VERSION = 1;
