import type { IncomingMessage } from 'node:http';
import { Transform, type Writable } from 'node:stream';
import type { RequestHandler } from 'express';
import multer from 'multer';
import { HttpError } from '../http/http-error.js';
import { MAX_FORM_FIELDS, MAX_REQUEST_BYTES } from './limits.js';

const tooLarge = () => new HttpError(413, `The form was larger than ${MAX_REQUEST_BYTES / 1024 / 1024} MB, so it was not read.`);

/**
 * Multer limits each part, not the whole body: a body sent in chunks (no Content-Length) could
 * make it hold every part up to its own limit. Counting the bytes on their way in keeps the
 * whole request within MAX_REQUEST_BYTES, as the url-encoded parser does.
 */
function feedAtMost(maxBytes: number) {
  return (req: IncomingMessage, busboy: Writable) => {
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        callback(received > maxBytes ? tooLarge() : null, chunk);
      },
    });
    // Multer tears down on a busboy error (and then drains the request) as for its own limits.
    counter.on('error', (error) => busboy.destroy(error));
    req.pipe(counter).pipe(busboy);
  };
}

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
  // Not in @types/multer yet; multer 2 feeds busboy through it instead of `req.pipe(busboy)`.
  ...({ streamHandler: feedAtMost(MAX_REQUEST_BYTES) } as object),
}).single('file');

/**
 * The post form's body. A multipart form is parsed here (the optional file lands in memory as
 * `req.file`; its name is never used for anything on disk); a url-encoded one was parsed by the
 * app already. Anything else (JSON, plain text) is not a form: 415, rather than a misleading
 * "form expired". Multer's own limit errors reach the error handler as they are (413); a body
 * that is not valid multipart at all is the client's fault: 400.
 */
export const multipartForm: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) {
    const hasOtherBody = req.is('application/x-www-form-urlencoded') === false;
    return next(hasOtherBody ? new HttpError(415, 'Send the post form as multipart/form-data or application/x-www-form-urlencoded.') : undefined);
  }
  // Refused before a byte is read when the client says up front that it is too large.
  if (Number(req.headers['content-length']) > MAX_REQUEST_BYTES) return next(tooLarge());
  parseMultipart(req, res, (error: unknown) => {
    if (error && !(error instanceof multer.MulterError) && !(error instanceof HttpError)) {
      return next(new HttpError(400, 'The form could not be read: the upload was cut short or malformed.'));
    }
    next(error);
  });
};
