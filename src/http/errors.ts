import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import multer from 'multer';
import { HttpError, STATUS_HEADINGS } from './http-error.js';
import type { Logger } from './log.js';
import { storageFault } from './storage-faults.js';

/** Every route that fell through: a 404 page. */
export const notFound: RequestHandler = (_req, _res, next) => next(new HttpError(404));

// Multer's limits are transport limits (the request itself is too big); anything else it
// reports (an unexpected field name) is a bad request.
const MULTER_TOO_LARGE = new Set(['LIMIT_PART_COUNT', 'LIMIT_FILE_SIZE', 'LIMIT_FILE_COUNT', 'LIMIT_FIELD_VALUE', 'LIMIT_FIELD_COUNT']);

/** The status an error deserves. Only what no rule explains is a 500, i.e. a bug. */
export function statusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof multer.MulterError) return MULTER_TOO_LARGE.has(error.code) ? 413 : 400;
  // A full disk, a read-only folder, a locked index: the machine's fault, said so with 507 or 503.
  const fault = storageFault(error);
  if (fault) return fault.status;
  // body-parser, the router's URL decoding and others mark client errors with a 4xx status.
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return 500;
}

/** The one error handler: a human page with the right status, never a stack trace. */
export function renderError(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const status = statusOf(error);
    const requestId = String(res.locals.requestId ?? '');
    if (status >= 500) {
      log.error({ id: requestId, method: req.method, path: req.originalUrl.slice(0, 500), error: (error as Error)?.stack ?? String(error) });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const message = messageFor(error, status, requestId);
    const heading = STATUS_HEADINGS[status] ?? STATUS_HEADINGS[status < 500 ? 400 : 500] ?? 'Error';
    res.status(status);
    const retryAfterSeconds = storageFault(error)?.retryAfterSeconds;
    if (retryAfterSeconds) res.setHeader('Retry-After', String(retryAfterSeconds));
    res.render('error', { status, heading, message }, (renderFailure: Error | null, html?: string) => {
      if (renderFailure) {
        log.error({ id: requestId, error: `error page failed: ${renderFailure.stack ?? renderFailure}` });
        sendFallback(res, status, heading, message);
        return;
      }
      res.type('html').send(html);
    });
  };
}

/** The sentence the page shows: what the client got wrong, what the machine lacks, or a reference for a bug. */
function messageFor(error: unknown, status: number, requestId: string): string {
  if (error instanceof HttpError) return error.message;
  if (status < 500) return new HttpError(status).message;
  return storageFault(error)?.message ?? `Quire hit a problem it did not expect. It has been logged with reference ${requestId}.`;
}

/** If even the error view cannot render, a tiny page with nothing from the request in it. */
function sendFallback(res: Response, status: number, heading: string, message: string): void {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res
    .type('html')
    .send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>${status}</title><h1>${escape(heading)}</h1><p>${escape(message)}</p></html>`);
}
