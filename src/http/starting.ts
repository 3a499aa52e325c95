import type { RequestListener, ServerResponse } from 'node:http';
import path from 'node:path';
import ejs from 'ejs';
import { VIEWS_DIR } from '../paths.js';
import { IMMUTABLE_CACHE_CONTROL, type Assets } from './assets.js';
import { securityHeaders } from './security-headers.js';
import type { SiteInfo } from './view-locals.js';

/** How far a first start's build of the index has come: files checked, of those in the folder. */
export interface StartingProgress {
  done: number;
  total: number;
}

export interface StartingDeps {
  progress: () => StartingProgress;
  site: SiteInfo;
  assets: Assets;
  https: boolean;
}

// How soon a client may ask again; the page reloads itself after as long.
const RETRY_AFTER_SECONDS = 5;

/**
 * What a first start answers while it builds an empty index, before the app exists: there is
 * nothing to serve yet (half an index would answer 404 for the other half's posts), so every
 * request but the stylesheet's and the icon's gets 503 with Retry-After, with a page saying how
 * far the build has come, and `starting` for health checks. Before, such a start listened only
 * once built: ~75 s on 100,000 posts, 100-130 s on a slower machine, in which a proxy in front
 * showed its own error page and a browser "connection refused".
 *
 * It is a bare listener, with the security headers and the one view, rather than the app behind
 * a gate: the app's modules (Express, the routes, zod, multer) loaded before the build raised a
 * first start's peak on 100,000 posts from 184 to 195 MB on Node 24, near the 200 MB budget
 * (185 MB with this listener), and on 1,000 posts from ~136 to ~146 MB on Node 20.
 */
export function startingListener({ progress, site, assets, https }: StartingDeps): RequestListener {
  const headers = securityHeaders({ https });
  return (req, res) =>
    headers(req, res, () => {
      const asset = assets.files.find(({ url }) => url === req.url);
      if (asset) {
        res.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': IMMUTABLE_CACHE_CONTROL }).end(asset.body);
        return;
      }
      const starting = progress();
      res.statusCode = 503;
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.setHeader('Cache-Control', 'no-store');
      // The path as sent, without parsing the URL: a malformed one (`GET http://[`) made
      // `new URL` throw, and the exception ended the process.
      if ((req.url ?? '').split('?', 1)[0] === '/healthz') {
        send(res, 'application/json; charset=utf-8', JSON.stringify({ status: 'starting', ...starting }));
        return;
      }
      const locals = { site, assets: assets.urls, ...starting, refreshSeconds: RETRY_AFTER_SECONDS };
      ejs.renderFile(path.join(VIEWS_DIR, 'starting.ejs'), locals, { root: VIEWS_DIR, cache: true }, (error, html) => {
        send(res, 'text/html; charset=utf-8', error ? `<!doctype html><html lang="en"><meta charset="utf-8"><title>Starting up</title><h1>Starting up</h1></html>` : html);
      });
    });
}

function send(res: ServerResponse, type: string, body: string): void {
  res.setHeader('Content-Type', type);
  res.end(body);
}
