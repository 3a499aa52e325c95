import { Router, type Request, type Response } from 'express';
import type { Auth } from './middleware.js';
import { passwordMatches } from './password.js';
import type { Throttle } from './throttle.js';

export interface AuthRouteDeps {
  auth: Auth;
  authorPassword: string;
  throttle: Throttle;
}

/** GET/POST /login and POST /logout. */
export function authRoutes({ auth, authorPassword, throttle }: AuthRouteDeps): Router {
  const router = Router();
  const showLogin = (req: Request, res: Response, status: number, errors: Record<string, string>) => {
    res.locals.csrfToken = auth.issueVisitorToken(req, res);
    res.status(status).render('auth/login', { errors });
  };

  router.get('/login', (req, res) => {
    if (res.locals.user) return res.redirect(303, '/');
    showLogin(req, res, 200, {});
  });

  // The throttle comes first: a blocked client learns nothing, not even whether its token was good.
  router.post(
    '/login',
    (req, res, next) => {
      if (!throttle.isBlocked(req.ip ?? '')) return next();
      showLogin(req, res, 429, { form: 'Too many failed attempts. Wait 15 minutes and try again.' });
    },
    auth.verifyCsrf,
    (req, res) => {
      const password = (req.body as Record<string, unknown>).password;
      if (typeof password !== 'string' || !passwordMatches(password, authorPassword)) {
        throttle.recordFailure(req.ip ?? '');
        return showLogin(req, res, 401, { password: 'That password is not right.' });
      }
      throttle.reset(req.ip ?? '');
      auth.signIn(req, res);
      res.redirect(303, '/');
    },
  );

  router.post('/logout', auth.requireAuthor, auth.verifyCsrf, (req, res) => {
    auth.signOut(req, res);
    res.redirect(303, '/');
  });

  return router;
}
