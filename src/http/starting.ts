import type { RequestHandler } from 'express';

/** How far a first start's build of the index has come: files checked, of those in the folder. */
export interface StartingProgress {
  done: number;
  total: number;
}

// How soon a client may ask again; the page reloads itself after as long.
const RETRY_AFTER_SECONDS = 5;

/**
 * While a first start builds an empty index, there is nothing to serve yet (half an index
 * would answer 404 for the other half's posts): every request but the stylesheet's is answered
 * 503 with Retry-After, with a page saying how far the build has come, and `starting` for
 * health checks. Before, such a start listened only once built: ~75 s on 100,000 posts, 130 s
 * on a slower machine, in which a proxy in front showed its own error page and a reader's
 * browser "connection refused".
 */
export function startingGate(progress: () => StartingProgress | undefined): RequestHandler {
  return (req, res, next) => {
    const starting = progress();
    if (!starting) return next();
    res.status(503).setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    if (req.path === '/healthz') {
      res.json({ status: 'starting', ...starting });
      return;
    }
    res.render('starting', { ...starting, refreshSeconds: RETRY_AFTER_SECONDS });
  };
}
