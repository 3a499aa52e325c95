import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from './log.js';
import type { PageCache } from './page-cache.js';
import { pageKey } from './page-key.js';
import { matchesEtag, negotiateEncoding, type Representation, type Variant } from './representation.js';

/**
 * The read path for readers: an anonymous GET for a page already rendered is answered from
 * memory before Express sees it. Everything else — the author, forms, misses, errors — takes
 * the full stack, which renders the page and hands it to `capturePages` for next time.
 */
export function createFastPath({ cache, sessionCookie, log }: { cache: PageCache; sessionCookie: string; log: Logger }) {
  const sessionMarker = `${sessionCookie}=`;

  /** Answers from the cache, or calls `fullStack` to let Express answer. */
  function serve(req: IncomingMessage, res: ServerResponse, fullStack: () => void): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fullStack();
    // The author sees pages with forms and tokens in them; only readers share pages.
    if (req.headers.cookie?.includes(sessionMarker)) return fullStack();
    const page = cache.get(pageKey(req.url ?? ''));
    if (!page) return fullStack();
    const started = process.hrtime.bigint();
    const answer = (ready: Representation) => {
      const id = randomUUID();
      const logAnswer = (status: number) =>
        log.info({ id, method: req.method, path: (req.url ?? '').slice(0, 500), status, ms: Number(process.hrtime.bigint() - started) / 1e6 });
      const status = writePage(req, res, ready, id);
      if (typeof status === 'number') logAnswer(status);
      else void status.then(logAnswer);
    };
    // Still being prepared for the reader who asked first: wait for it (or, if that failed, render it).
    if (page instanceof Promise) page.then(answer, fullStack);
    else answer(page);
  }

  /**
   * Express middleware for readers' GETs and HEADs: when a route names the URL its page lives
   * at (`res.locals.canonicalPath`, the form the site's own links take, which its HTML also
   * gives search engines as `<link rel="canonical">`), the rendered page is stored
   * under it, then sent exactly as a cache hit would be (same headers, same encodings), so the
   * first reader and the thousandth get the same page. A page asked for under another form of
   * its URL (`/?page=02`, a slug in lower-case percent-escapes) is sent by Express and not kept:
   * such forms have no end, and each kept page costs memory and compressions.
   */
  const capturePages: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || res.locals.user) return next();
    const sendWithExpress = res.send.bind(res);
    res.send = (body?: unknown) => {
      const key = pageKey(req.originalUrl);
      const cacheable = res.locals.canonicalPath === key && res.statusCode === 200 && !res.getHeader('set-cookie');
      if (!cacheable || (typeof body !== 'string' && !Buffer.isBuffer(body))) return sendWithExpress(body);
      if (!res.getHeader('content-type')) res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cache-Control', String(res.locals.cacheControl ?? READER_CACHE_CONTROL));
      res.setHeader('Vary', 'Accept-Encoding, Cookie');
      const headers = storedHeaders(res);
      const id = String(res.locals.requestId);
      // The request logger's X-Request-Id goes back on by writePage, with the same id.
      res.removeHeader('X-Request-Id');
      cache.put(key, Buffer.from(body), headers).then(
        (page) => void writePage(req, res, page, id),
        () => {
          res.setHeader('X-Request-Id', id);
          sendWithExpress(body);
        },
      );
      return res;
    };
    next();
  };

  return { serve, capturePages };
}

/**
 * Writes a prepared page: 304 when the browser has it, else the best encoding it accepts (once
 * compressed: the first reader to ask for an encoding waits for it). Answers the status sent.
 */
function writePage(req: IncomingMessage, res: ServerResponse, page: Representation, id: string): Promise<number> | number {
  const encoding = negotiateEncoding(req.headers['accept-encoding']);
  if (matchesEtag(req.headers['if-none-match'], page.etag)) {
    res.writeHead(304, [...page.notModifiedHeaders, 'ETag', page.etagOf(encoding), 'X-Request-Id', id]);
    res.end();
    return 304;
  }
  const send = (variant: Variant) => {
    res.writeHead(200, [...variant.headers, 'X-Request-Id', id]);
    res.end(req.method === 'HEAD' ? undefined : variant.body);
    return 200;
  };
  const variant = page.variant(encoding);
  return variant instanceof Promise ? variant.then(send) : send(variant);
}

/** Readers may keep a page, but must ask again (a cheap 304) before showing it. */
export const READER_CACHE_CONTROL = 'public, no-cache';

// Per request or per body: computed again for each response.
const PER_RESPONSE_HEADERS = new Set(['x-request-id', 'date', 'etag', 'content-length', 'content-encoding', 'set-cookie', 'connection', 'keep-alive', 'transfer-encoding']);

/** The headers Express and helmet set for this page, to be replayed on every hit. */
function storedHeaders(res: ServerResponse): [string, string][] {
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (value === undefined || PER_RESPONSE_HEADERS.has(name)) continue;
    headers.push([canonicalName(name), Array.isArray(value) ? value.join(', ') : String(value)]);
  }
  return headers;
}

function canonicalName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}
