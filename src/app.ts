import type { RequestListener } from 'node:http';
import express from 'express';
import ejs from 'ejs';
import { cookieNames } from './auth/cookies.js';
import { createCsrf } from './auth/csrf.js';
import { createAuth } from './auth/middleware.js';
import { authRoutes } from './auth/routes.js';
import type { SessionStore } from './auth/sessions.js';
import { createThrottle, type Throttle } from './auth/throttle.js';
import type { Config } from './config.js';
import { assetRoutes } from './http/asset-routes.js';
import { STATIC_CACHE_CONTROL, type Assets } from './http/assets.js';
import { notFound, renderError } from './http/errors.js';
import { formBodies } from './http/form-bodies.js';
import { createFastPath } from './http/fast-path.js';
import type { Logger } from './http/log.js';
import { createPageCache } from './http/page-cache.js';
import { requestLog } from './http/request-log.js';
import { securityHeaders } from './http/security-headers.js';
import { registerViewHelpers, viewLocals } from './http/view-locals.js';
import { PUBLIC_DIR, VIEWS_DIR } from './paths.js';
import { postRoutes } from './posts/routes.js';
import type { PostStore } from './posts/store.js';
import { isPostPage } from './posts/urls.js';

export interface AppDeps {
  config: Config;
  store: PostStore;
  sessions: SessionStore;
  /** Signs CSRF tokens; kept in the database so that tokens survive a restart. */
  csrfKey: Buffer;
  /** The author's password: AUTHOR_PASSWORD, or the one server.ts generated. */
  authorPassword: string;
  /** The fingerprinted stylesheet, read by server.ts. */
  assets: Assets;
  log: Logger;
  throttle?: Throttle;
}

/**
 * Builds the whole site as one request listener. No I/O here: server.ts opens files and
 * listens; tests pass temp ones. Readers' pages already rendered are answered by the fast
 * path; every other request goes through the Express stack below.
 */
export function createApp(deps: AppDeps): RequestListener {
  const { config, store, sessions, csrfKey, authorPassword, assets, log, throttle = createThrottle() } = deps;
  const app = express();
  app.set('views', VIEWS_DIR).set('view engine', 'ejs').set('trust proxy', config.trustProxy);
  app.set('view cache', true).set('x-powered-by', false);
  // Views include partials by paths from the views folder (`/partials/head`), which EJS resolves
  // against `root` as written; a relative include is first looked for on disk, a synchronous
  // stat on the main thread for each include of every page rendered (2% of a crawled page).
  // EJS takes `root` only as an option of its own, so it is given here with the cache.
  app.engine('ejs', (file, data, done) => ejs.renderFile(file, data, { root: VIEWS_DIR, cache: true }, done));
  registerViewHelpers(app, assets);
  const auth = createAuth({ sessions, csrf: createCsrf(csrfKey), secureCookies: config.secureCookies });
  const fastPath = createFastPath({
    // A new post changes the index's pages and adds its own: the other posts' pages stay.
    cache: createPageCache({ version: (url) => (isPostPage(url) ? store.versionOfExistingPosts() : store.version()) }),
    sessionCookie: cookieNames(config.secureCookies).session,
    log,
  });

  // Every response: an id and a log line, security headers, and no caching unless a page says so.
  app.use(requestLog(log), securityHeaders({ https: config.secureCookies }), (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // Who is asking, and what every view needs; readers' pages are kept for the fast path.
  app.use(auth.authenticate, viewLocals({ title: config.siteTitle, url: config.siteUrl }), fastPath.capturePages);

  // Static files: the fingerprinted stylesheet and icon, then public/ under its own names (for
  // links from elsewhere), which browsers may keep for an hour. public/ holds no posts: a post's
  // URL skips it rather than ask the disk for a file first (a stat, then a 404 error object,
  // for every page a crawler reads: 12-15% of the server's CPU per page).
  app.use(assetRoutes(assets));
  const publicFiles = express.static(PUBLIC_DIR, { index: false, redirect: false, setHeaders: (res) => res.setHeader('Cache-Control', STATIC_CACHE_CONTROL) });
  app.use((req, res, next) => (isPostPage(req.path) ? next() : publicFiles(req, res, next)));

  // Url-encoded bodies, post-sized only for the author (multipart is parsed by the one route that takes it).
  app.use(formBodies());

  // Health, for Docker and load balancers.
  app.get('/healthz', (_req, res) => {
    const healthy = store.isHealthy();
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'unavailable' });
  });

  // The site.
  app.use(authRoutes({ auth, authorPassword, throttle })); // /login, /logout
  app.use(postRoutes({ store, auth })); // /, /posts, /posts/:slug, /posts/:slug.md

  // Nothing matched, or something failed: one place answers.
  app.use(notFound, renderError(log));

  return (req, res) => fastPath.serve(req, res, () => app(req, res));
}
