import type { Express, RequestHandler } from 'express';
import { indexPageUrl, postSourceUrl, postUrl } from '../posts/urls.js';
import type { Assets } from './assets.js';

export interface SiteInfo {
  title: string;
  url: string;
}

/** Locals every view can count on; per-request ones (user, csrfToken, requestId) are set by their own middleware. */
export function viewLocals(site: SiteInfo): RequestHandler {
  return (_req, res, next) => {
    res.locals.site = site;
    res.locals.user ??= null;
    res.locals.csrfToken ??= '';
    next();
  };
}

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Formatting helpers, registered once: templates only display. */
export function registerViewHelpers(app: Express, assets: Assets): void {
  app.locals.formatDate = (iso: string) => DATE_FORMAT.format(new Date(iso));
  app.locals.assets = assets.urls;
  app.locals.postUrl = postUrl;
  app.locals.postSourceUrl = postSourceUrl;
  app.locals.indexPageUrl = indexPageUrl;
}
