import express, { type NextFunction, type RequestHandler, type Response } from 'express';
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
    // nothing); one whose length says so is refused unread, and its connection ended. A body
    // of unknown length (chunked) would be read to its end the same way, however long: browsers
    // always state the length of a form, so a visitor's form must state it too.
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] !== undefined) return refuseUnread(res, next, new HttpError(411));
    if (Number(length) > MAX_VISITOR_FORM_BYTES) return refuseUnread(res, next, new HttpError(413));
    forVisitor(req, res, next);
  };
}

/** Answers without reading the body; the connection is closed after the answer, body and all. */
function refuseUnread(res: Response, next: NextFunction, error: HttpError): void {
  res.setHeader('Connection', 'close');
  next(error);
}
