import express, { type RequestHandler } from 'express';
import { MAX_FORM_FIELDS, MAX_REQUEST_BYTES } from '../posts/limits.js';

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
  return (req, res, next) => (res.locals.user ? forAuthor : forVisitor)(req, res, next);
}
