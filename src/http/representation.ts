import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/**
 * One response body with its headers and its ETag, encoded once per encoding a browser asks
 * for: serving it is then a lookup and a write, with no work per request.
 */
export interface Representation {
  /** The ETag of the unencoded body; each encoding's ETag adds a suffix (RFC 9110: they differ). */
  etag: string;
  /** The unencoded body. */
  body: Buffer;
  /**
   * The body in `encoding`, with its flat [name, value, …] headers for res.writeHead. An
   * encoding is compressed when a reader first asks for it (see `prepareRepresentation`); the
   * readers asking meanwhile wait for that one compression.
   */
  variant(encoding: Encoding): Variant | Promise<Variant>;
  /** The ETag of `encoding`'s variant, known before it is compressed (for a 304). */
  etagOf(encoding: Encoding): string;
  /** The encodings compressed or being compressed: those its readers asked for. */
  encodings(): Encoding[];
  /** Headers for a 304: the validators and caching headers, no body headers. */
  notModifiedHeaders: string[];
  /** The bytes held: the body, and the encodings compressed so far. */
  readonly bytes: number;
}

export interface Variant {
  headers: string[];
  body: Buffer;
  etag: string;
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
 * Prepares a body to be sent in any encoding, compressing now those in `compressNow` and the
 * others when a reader first asks for one (`onGrow` is told when the bytes held grow). Most
 * readers of a page ask for one encoding: browsers and search engines' crawlers for brotli, a
 * browser on a plain-HTTP address for gzip; compressing both for every page took a crawler's
 * page ~0.13 ms of CPU more (an eighth of what the page cost) and held a sixth more bytes.
 * Compressing takes from a millisecond to more than a hundred readers' answers from memory, so
 * it happens off the main thread: a reader asking for pages not yet kept (a crawler going
 * through old posts) does not stall everyone else.
 */
export async function prepareRepresentation(
  text: Buffer,
  headers: [string, string][],
  effort: Effort,
  { compressNow = [], onGrow = () => undefined }: { compressNow?: Encoding[]; onGrow?: () => void } = {},
): Promise<Representation> {
  const body = exactCopy(text);
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  const etag = `"${hash}"`;
  const common = headers.flat();
  const shouldCompress = body.length >= MIN_COMPRESSIBLE_BYTES;
  const { suffix } = COMPRESSION[effort];
  const etagOf = (encoding: Encoding) => (shouldCompress && encoding !== 'identity' ? `"${hash}${suffix[encoding]}"` : etag);
  const variantOf = (encoding: Encoding, encoded: Buffer): Variant => {
    const variantEtag = etagOf(encoding);
    const encodingHeader = encoded === body ? [] : ['Content-Encoding', encoding];
    return { etag: variantEtag, body: encoded, headers: [...common, ...encodingHeader, 'Content-Length', String(encoded.length), 'ETag', variantEtag] };
  };
  const identity = variantOf('identity', body);
  const variants = new Map<Encoding, Variant | Promise<Variant>>();
  let bytes = body.length;

  const variant = (encoding: Encoding): Variant | Promise<Variant> => {
    if (!shouldCompress || encoding === 'identity') return identity;
    const kept = variants.get(encoding);
    if (kept) return kept;
    const compressing = compress(body, encoding, effort).then(
      (encoded) => {
        const ready = variantOf(encoding, encoded);
        variants.set(encoding, ready);
        bytes += encoded.length;
        onGrow();
        return ready;
      },
      // Never seen; were it to happen, the body goes as it is rather than not at all.
      () => {
        variants.set(encoding, identity);
        return identity;
      },
    );
    variants.set(encoding, compressing);
    return compressing;
  };

  await Promise.all(compressNow.map(variant));
  return {
    etag,
    body,
    variant,
    etagOf,
    encodings: () => [...variants.keys()],
    notModifiedHeaders: headers.filter(([name]) => !BODY_HEADERS.test(name)).flat(),
    get bytes() {
      return bytes;
    },
  };
}

async function compress(body: Buffer, encoding: Exclude<Encoding, 'identity'>, effort: Effort): Promise<Buffer> {
  const { gzipLevel, brotliQuality } = COMPRESSION[effort];
  const compressed =
    encoding === 'gzip'
      ? await gzipAsync(body, { level: gzipLevel })
      : await brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality(body.length), [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  return exactCopy(compressed);
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
