import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Files served under a URL that names their content, so browsers may keep them for good. */
export interface Assets {
  /** The URLs views link to, e.g. `{ css: '/assets/style.1a2b3c4d5e.css', … }`. */
  urls: { css: string; favicon: string };
  files: { url: string; type: string; body: Buffer }[];
}

const FINGERPRINTED = [
  { key: 'css', file: 'style.css', type: 'text/css; charset=utf-8' },
  { key: 'favicon', file: 'favicon.svg', type: 'image/svg+xml' },
] as const;
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** For public/'s files under their own names, which change when Quire does. */
export const STATIC_CACHE_CONTROL = 'public, max-age=3600';

/** Reads and fingerprints the stylesheet and the icon (server.ts calls this once at start-up). */
export function loadAssets(publicDir: string): Assets {
  const files = FINGERPRINTED.map(({ key, file, type }) => {
    const body = readFileSync(path.join(publicDir, file));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const { name, ext } = path.parse(file);
    return { key, url: `/assets/${name}.${hash}${ext}`, type, body };
  });
  // One entry per key of FINGERPRINTED, which are the keys of `urls`.
  const urls = Object.fromEntries(files.map(({ key, url }) => [key, url])) as Assets['urls'];
  return { urls, files };
}
