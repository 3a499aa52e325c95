import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { MAX_FORM_FIELDS, MAX_REQUEST_BYTES } from '../posts/limits.js';
import { HttpError } from './http-error.js';

/**
 * A visitor's only form is sign-in: a password (at most 1024 characters, each up to 12 bytes
 * once percent-encoded) and a CSRF token.
 */
export const MAX_VISITOR_FORM_BYTES = 16 * 1024;

/**
 * Url-encoded bodies, parsed after `authenticate`: the author may send a whole post, a visitor
 * only ever the sign-in form. One 8 MB limit for everyone would let any anonymous request make
 * the server buffer and parse 8 MB (measured: about 13 MB of memory per request in flight).
 */
export function formBodies(): RequestHandler {
  const forAuthor = express.urlencoded({ extended: false, limit: MAX_REQUEST_BYTES, parameterLimit: MAX_FORM_FIELDS });
  const forVisitor = express.urlencoded({ extended: false, limit: MAX_VISITOR_FORM_BYTES, parameterLimit: MAX_FORM_FIELDS });
  return (req, res, next) => {
    // The author's form over the limit is read to its end (discarded, not kept) before the 413:
    // answered and closed at once, a browser still sending gets a reset instead of the page.
    if (res.locals.user) return forAuthor(req, res, next);
    if (!req.is('application/x-www-form-urlencoded')) return forVisitor(req, res, next);
    // body-parser reads a body over its limit to the end before it answers 413 (megabytes, for
    // nothing); one whose length says so is refused at once, its rest thrown away unparsed. A
    // body of unknown length (chunked) would be read to its end the same way, however long:
    // browsers always state the length of a form, so a visitor's form must state it too.
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] !== undefined) return refuseUnread(req, res, next, new HttpError(411));
    if (Number(length) > MAX_VISITOR_FORM_BYTES) return refuseUnread(req, res, next, new HttpError(413));
    forVisitor(req, res, next);
  };
}

/**
 * A refused body's rest is read and thrown away for this long after the answer, at most; then
 * its connection is ended. (A browser sends 8 MB in well under a second on any line a blog's
 * visitor has; one still sending after this is not waiting for the page.)
 */
const LINGER_MS = 5_000;

/**
 * Answers without reading the body into memory. A body of stated length is then read and
 * thrown away as it arrives, as nginx does (its "lingering close"): ended at once, the
 * connection was reset by the kernel, unread body and all, and the reset overtook the answer
 * (on Linux 6.18 every one of 20 visitors sending 8 MB got "connection reset" and no page).
 * One of unknown length may never end, so its connection is closed after the answer.
 */
function refuseUnread(req: Request, res: Response, next: NextFunction, error: HttpError): void {
  if (error.status === 411) res.setHeader('Connection', 'close');
  else res.once('finish', () => endAfterLingering(req));
  next(error);
}

/** Ends the request's connection if its body is still arriving LINGER_MS from now. */
function endAfterLingering(req: Request): void {
  if (req.complete) return;
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  const stop = () => clearTimeout(timer);
  req.once('end', stop);
  req.socket.once('close', stop);
}
