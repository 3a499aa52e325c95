import express, { type Express } from 'express';
import { createAuth } from './auth/middleware.js';
import { authRoutes } from './auth/routes.js';
import type { SessionStore } from './auth/sessions.js';
import { createCsrf } from './auth/csrf.js';
import { createThrottle, type Throttle } from './auth/throttle.js';
import type { Config } from './config.js';
import { notFound, renderError } from './http/errors.js';
import type { Logger } from './http/log.js';
import { requestLog } from './http/request-log.js';
import { securityHeaders } from './http/security-headers.js';
import { registerViewHelpers, viewLocals } from './http/view-locals.js';
import { PUBLIC_DIR, VIEWS_DIR } from './paths.js';
import { MAX_FORM_FIELDS, MAX_REQUEST_BYTES } from './posts/limits.js';
import { postRoutes } from './posts/routes.js';
import type { PostStore } from './posts/store.js';

export interface AppDeps {
  config: Config;
  store: PostStore;
  sessions: SessionStore;
  /** Signs CSRF tokens; kept in the database so that tokens survive a restart. */
  csrfKey: Buffer;
  /** The author's password: AUTHOR_PASSWORD, or the one server.ts generated. */
  authorPassword: string;
  log: Logger;
  throttle?: Throttle;
}

/** Builds the whole site. No I/O here: server.ts opens files and listens; tests pass temp ones. */
export function createApp({ config, store, sessions, csrfKey, authorPassword, log, throttle = createThrottle() }: AppDeps): Express {
  const app = express();
  app.set('views', VIEWS_DIR).set('view engine', 'ejs').set('trust proxy', config.trustProxy);
  app.set('view cache', true).set('x-powered-by', false);
  registerViewHelpers(app);
  const auth = createAuth({ sessions, csrf: createCsrf(csrfKey), secureCookies: config.secureCookies });

  // Every response: an id and a log line, security headers, then the static files.
  app.use(requestLog(log), securityHeaders({ https: config.secureCookies }));
  app.use(express.static(PUBLIC_DIR, { maxAge: '1h', index: false, redirect: false }));

  // Who is asking, what every view needs, and url-encoded bodies (multipart is parsed per route).
  app.use(auth.authenticate, viewLocals({ title: config.siteTitle, url: config.siteUrl }));
  app.use(express.urlencoded({ extended: false, limit: MAX_REQUEST_BYTES, parameterLimit: MAX_FORM_FIELDS }));

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
  return app;
}
