import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from './log.js';

/** Gives each request an id (echoed in X-Request-Id and on error pages) and logs one line when it ends. */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      log.info({
        id,
        method: req.method,
        path: req.originalUrl.slice(0, 500),
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    next();
  };
}
