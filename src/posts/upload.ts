import type { RequestHandler } from 'express';
import multer from 'multer';
import { HttpError } from '../http/http-error.js';
import { MAX_FORM_FIELDS, MAX_REQUEST_BYTES } from './limits.js';

const parseMultipart = multer({
  storage: multer.memoryStorage(),
  limits: {
    fieldNameSize: 100,
    fieldSize: MAX_REQUEST_BYTES,
    fields: MAX_FORM_FIELDS,
    fileSize: MAX_REQUEST_BYTES,
    files: 1,
    parts: MAX_FORM_FIELDS + 1,
    headerPairs: 100,
  },
}).single('file');

/**
 * Parses a multipart post form (the optional file lands in memory as `req.file`; its name is
 * never used for anything on disk). Multer's own limit errors reach the error handler as they
 * are (413); a body that is not valid multipart at all is the client's fault: 400.
 */
export const multipartForm: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  parseMultipart(req, res, (error: unknown) => {
    if (error && !(error instanceof multer.MulterError)) {
      return next(new HttpError(400, 'The form could not be read: the upload was cut short or malformed.'));
    }
    next(error);
  });
};
