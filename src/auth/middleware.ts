import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { HttpError } from '../http/http-error.js';
import { cookieNames, cookieOptions, readCookie } from './cookies.js';
import type { Csrf } from './csrf.js';
import { SESSION_LIFETIME_MS, type SessionStore } from './sessions.js';

export interface AuthDeps {
  sessions: SessionStore;
  csrf: Csrf;
  secureCookies: boolean;
}

/** Author-only pages and forms; one instance per app. */
export function createAuth({ sessions, csrf, secureCookies }: AuthDeps) {
  const names = cookieNames(secureCookies);
  const visitorId = (req: Request) => {
    const value = readCookie(req, names.visitor);
    return value && /^[\w-]{22}$/.test(value) ? value : undefined;
  };
  const binding = (req: Request, res: Response) => {
    if (res.locals.sessionId) return `session:${res.locals.sessionId}`;
    const visitor = visitorId(req);
    return visitor ? `visitor:${visitor}` : '';
  };

  /** Finds the author's session, if any, and the CSRF token for the author's forms. */
  const authenticate: RequestHandler = (req, res, next) => {
    const cookie = readCookie(req, names.session);
    const sessionId = cookie ? sessions.find(cookie) : undefined;
    res.locals.sessionId = sessionId;
    res.locals.user = sessionId ? { name: 'Author' } : null;
    res.locals.csrfToken = sessionId ? csrf.tokenFor(`session:${sessionId}`) : '';
    next();
  };

  const requireAuthor: RequestHandler = (req, res, next) => {
    if (res.locals.user) return next();
    if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, '/login');
    next(new HttpError(401));
  };

  /** Runs after the body is parsed: a state-changing request must carry the token of its browser. */
  const verifyCsrf: RequestHandler = (req, res, next) => {
    const token = (req.body as Record<string, unknown> | undefined)?._csrf;
    next(csrf.verify(binding(req, res), token) ? undefined : new HttpError(403));
  };

  return {
    authenticate,
    requireAuthor,
    verifyCsrf,

    /** A visitor's form (sign-in) needs a token too; it is bound to a random cookie. */
    issueVisitorToken(req: Request, res: Response): string {
      let visitor = visitorId(req);
      if (!visitor) {
        visitor = randomBytes(16).toString('base64url');
        res.cookie(names.visitor, visitor, cookieOptions(secureCookies));
      }
      return csrf.tokenFor(`visitor:${visitor}`);
    },

    /** A new session id at every sign-in, so a session fixed before sign-in is worth nothing. */
    signIn(req: Request, res: Response): void {
      const previous = readCookie(req, names.session);
      if (previous) sessions.destroy(previous);
      const value = sessions.create();
      res.cookie(names.session, value, cookieOptions(secureCookies, SESSION_LIFETIME_MS));
      res.clearCookie(names.visitor, cookieOptions(secureCookies));
    },

    signOut(req: Request, res: Response): void {
      const cookie = readCookie(req, names.session);
      if (cookie) sessions.destroy(cookie);
      res.clearCookie(names.session, cookieOptions(secureCookies));
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
