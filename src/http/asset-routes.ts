import { Router } from 'express';
import { IMMUTABLE_CACHE_CONTROL, type Assets } from './assets.js';

/** Serves each asset through the full stack once; the page cache keeps it from then on. */
export function assetRoutes(assets: Assets): Router {
  const router = Router();
  for (const { url, type, body } of assets.files) {
    router.get(url, (_req, res) => {
      res.locals.canonicalPath = url;
      res.locals.cacheControl = IMMUTABLE_CACHE_CONTROL;
      res.type(type).send(body);
    });
  }
  return router;
}
