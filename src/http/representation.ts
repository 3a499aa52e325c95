import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/**
 * One response body prepared once in every encoding a browser may ask for, with its headers
 * and its ETag: serving it is then a lookup and a write, with no work per request.
 */
export interface Representation {
  /** The ETag of the unencoded body; each encoding's ETag adds a suffix (RFC 9110: they differ). */
  etag: string;
  /** Flat [name, value, …] header lists, ready for res.writeHead, one per encoding. */
  variants: Record<Encoding, { headers: string[]; body: Buffer; etag: string }>;
  /** Headers for a 304: the validators and caching headers, no body headers. */
  notModifiedHeaders: string[];
  bytes: number;
}

export type Encoding = 'br' | 'gzip' | 'identity';

// Headers that describe a body; a 304 has none. (Content-Security-Policy is not one of them.)
const BODY_HEADERS = /^content-(type|length|encoding|language)$/i;

// Below this, compression saves less than its headers cost.
const MIN_COMPRESSIBLE_BYTES = 512;

// zlib's asynchronous calls compress on libuv's thread pool, not on the thread answering readers.
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * A Buffer is often a view of a larger memory block, and keeping the view keeps the block:
 * zlib's output is a view of its output buffer (16 KB on Node 20, 64 KB on Node 24), and a
 * page's text a view of Buffer's shared pool (8 KB slabs on Node 20, 64 KB on Node 24), which
 * other short-lived buffers share. A compressed page of 3 KB held 64 KB in each encoding: 1,000
 * pages kept ~125 MB for 1.5 MB of compressed bytes. Kept pages get blocks of their own size.
 */
function exactCopy(view: Buffer): Buffer {
  if (view.byteOffset === 0 && view.buffer.byteLength === view.length) return view;
  const copy = Buffer.allocUnsafeSlow(view.length);
  view.copy(copy);
  return copy;
}

/**
 * How hard a page is compressed: `fast` for its first readers, `best` once it is read often.
 * Brotli at its best quality costs ~1.1 ms per KB of HTML: 15 ms for a typical page (quality 5:
 * 0.7 ms, for 6% more bytes), 1.7 s for the 1.9 MB page of a 1 MiB post (quality 9: 92 ms). In
 * a large archive most pages are read once per version, by a crawler, and the best quality
 * would be spent on them for nothing. Each effort has ETags of its own: the bytes differ.
 */
export type Effort = 'fast' | 'best';
const BEST_QUALITY_MAX_BYTES = 128 * 1024;
const COMPRESSION: Record<Effort, { gzipLevel: number; brotliQuality: (bytes: number) => number; suffix: Record<Encoding, string> }> = {
  fast: { gzipLevel: 6, brotliQuality: () => 5, suffix: { identity: '', gzip: '-gzf', br: '-brf' } },
  best: { gzipLevel: 9, brotliQuality: (bytes) => (bytes <= BEST_QUALITY_MAX_BYTES ? 11 : 9), suffix: { identity: '', gzip: '-gz', br: '-br' } },
};

/**
 * Prepares a body in every encoding. Compressing takes from a millisecond to more than a
 * hundred readers' answers from memory, so it happens off the main thread: a reader asking for
 * pages not yet kept (a crawler going through old posts) no longer stalls everyone else.
 */
export async function prepareRepresentation(text: Buffer, headers: [string, string][], effort: Effort): Promise<Representation> {
  const body = exactCopy(text);
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  const etag = `"${hash}"`;
  const common = headers.flat();
  const shouldCompress = body.length >= MIN_COMPRESSIBLE_BYTES;
  const { suffix } = COMPRESSION[effort];
  const [gzipped, brotli] = shouldCompress ? await compress(body, effort) : [body, body];
  const encoded: Record<Encoding, Buffer> = { identity: body, gzip: gzipped, br: brotli };
  const variant = (encoding: Encoding) => {
    const isEncoded = shouldCompress && encoding !== 'identity';
    const variantEtag = isEncoded ? `"${hash}${suffix[encoding]}"` : etag;
    return {
      etag: variantEtag,
      body: encoded[encoding],
      headers: [
        ...common,
        ...(isEncoded ? ['Content-Encoding', encoding] : []),
        'Content-Length', String(encoded[encoding].length),
        'ETag', variantEtag,
      ],
    };
  };
  return {
    etag,
    variants: { br: variant('br'), gzip: variant('gzip'), identity: variant('identity') },
    notModifiedHeaders: headers.filter(([name]) => !BODY_HEADERS.test(name)).flat(),
    bytes: body.length + encoded.gzip.length + encoded.br.length,
  };
}

async function compress(body: Buffer, effort: Effort): Promise<[gzipped: Buffer, brotli: Buffer]> {
  const { gzipLevel, brotliQuality } = COMPRESSION[effort];
  const [gzipped, brotli] = await Promise.all([
    gzipAsync(body, { level: gzipLevel }),
    brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality(body.length), [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  ]);
  return [exactCopy(gzipped), exactCopy(brotli)];
}

/** The encoding to send for an Accept-Encoding header: brotli, then gzip, else none. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  let gzip = false;
  for (const part of acceptEncoding.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const refused = params.some((param) => /^\s*q\s*=\s*0(?:\.0*)?\s*$/.test(param));
    if (refused) continue;
    if (token === 'br') return 'br';
    if (token === 'gzip' || token === '*') gzip = true;
  }
  return gzip ? 'gzip' : 'identity';
}

/**
 * True when If-None-Match names this body in any encoding and effort (or is `*`): the browser
 * has the same content, whichever bytes carried it. Weak comparison, as for GET.
 */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const base = etag.slice(1, -1);
  return ifNoneMatch.split(',').some((tag) => {
    const opaque = tag.trim().replace(/^W\//, '').slice(1, -1);
    return opaque === base || opaque.startsWith(`${base}-`);
  });
}
