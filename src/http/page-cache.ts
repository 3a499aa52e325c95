import { prepareRepresentation, type Representation } from './representation.js';

/**
 * Fully rendered anonymous pages, by URL, each with its ETag and in the encodings its readers
 * asked for. A page belongs to the version of the index it was rendered from, as `version(url)`
 * tells for its URL: a page read or written under another version is dropped (the index's pages
 * change with every new post, a post's page only when the posts may have changed: see app.ts).
 * Dropped pages are those a reader touches; the rest are the least recently read, and go first
 * when the byte budget is spent.
 *
 * A page is kept as soon as it is rendered. Each encoding is compressed (off the main thread)
 * when a reader first asks for it: readers asking for it meanwhile wait for that one
 * compression instead of rendering and compressing the page again each. It is compressed fast
 * for its first readers, and at its best in the background once it is read often (see
 * `Effort`), in the encodings asked for by then: at most twice per version and encoding.
 */
export interface PageCache {
  /** The page kept under `key`: ready, still being prepared, or none. */
  get(key: string): Representation | Promise<Representation> | undefined;
  /** Keeps a rendered page under `key`; a page already kept there (same version) is used instead. */
  put(key: string, body: Buffer, headers: [string, string][]): Promise<Representation>;
}

/**
 * The bytes of pages kept (each unencoded, and in the encodings asked for): ~1,000 typical pages
 * in brotli (~750 when every page was kept in brotli and gzip), or a 1 MiB post's page about
 * seven times over. A blog's readers crowd a few pages; a crawler goes through all of them, and
 * every page it reads is kept until pushed out. On 100,000 posts, one reading 8,000 of them
 * beside the readers of a popular post took the server to 286 MB at its peak on Node 20 and
 * 311 MB on Node 24 with 48 MB here; with 16 MB, 199 and 232-240 MB, readers as fast (and 165
 * and 167 MB with the heap growth of launch.ts).
 */
export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * Reads of one version of a page after which it is worth its best compression. A crawler reads
 * a page once or twice: with 2, one going through an archive twice had every page compressed
 * at the best quality (15 ms each) and took the readers of a popular post from ~25,000 answers
 * a second to ~10,000.
 */
export const READS_FOR_BEST_COMPRESSION = 10;

interface Entry {
  version: string;
  ready: Promise<Representation>;
  /** Set once prepared; only then does the entry count against the budget. */
  page?: Representation;
  /** The bytes of `page` the budget counts; they grow as encodings are compressed. */
  counted: number;
  /** Until it is compressed at its best: its headers, to go with its unencoded body. */
  toCompressAtBest?: { headers: [string, string][] };
  reads: number;
}

export interface PageCacheOptions {
  version: (url: string) => string;
  maxBytes?: number;
  /** How pages are compressed (tests watch it). */
  prepare?: typeof prepareRepresentation;
}

export function createPageCache({ version, maxBytes = DEFAULT_CACHE_BYTES, prepare = prepareRepresentation }: PageCacheOptions): PageCache {
  // A Map keeps insertion order: re-inserting on every hit makes its first key the least recent.
  const pages = new Map<string, Entry>();
  let bytes = 0;

  const drop = (key: string, entry: Entry) => {
    pages.delete(key);
    bytes -= entry.counted;
  };

  /** The entry kept under `key` for the index as it is now; one of an older version is dropped. */
  const current = (key: string, now: string) => {
    const entry = pages.get(key);
    if (entry && entry.version !== now) drop(key, entry);
    return entry?.version === now ? entry : undefined;
  };

  const evictOverBudget = () => {
    for (const [oldest, entry] of pages) {
      if (bytes <= maxBytes) break;
      drop(oldest, entry);
    }
  };

  // The budget counts what the entry's page holds now, unless the entry was dropped (a new
  // version, or evicted).
  const recount = (key: string, entry: Entry) => {
    if (pages.get(key) !== entry || !entry.page) return;
    bytes += entry.page.bytes - entry.counted;
    entry.counted = entry.page.bytes;
    evictOverBudget();
  };

  // A page prepared: the entry takes it (the fast one, then the best).
  const settle = (key: string, entry: Entry, page: Representation) => {
    if (pages.get(key) !== entry) return;
    entry.page = page;
    recount(key, entry);
  };

  /*
   * Pages are compressed at their best one at a time, each taking a core for ~15 ms: a crawler
   * that read every page of a blog of 1,000 posts ten times in a few seconds had them all
   * compressed at once, on libuv's four threads over both cores, and the readers of a popular
   * post fell from ~40,000 answers a second to 10,000-11,300 (p99 10-13 ms; one at a time,
   * ~21,000 and 5.6 ms). Pages wait by key, so that one dropped meanwhile holds no memory; it
   * is skipped at its turn.
   */
  const waitingForBest = new Set<string>();
  let compressingAtBest = false;

  const compressAtBest = (key: string, entry: Entry) => {
    if (!entry.toCompressAtBest) return;
    waitingForBest.add(key);
    compressNextAtBest();
  };

  const compressNextAtBest = () => {
    if (compressingAtBest) return;
    for (const key of waitingForBest) {
      waitingForBest.delete(key);
      const entry = pages.get(key);
      const { page, toCompressAtBest } = entry ?? {};
      if (!entry || !page || !toCompressAtBest) continue;
      entry.toCompressAtBest = undefined;
      compressingAtBest = true;
      // Compressed before it replaces the fast page, so that no reader waits for it.
      const onGrow = () => recount(key, entry);
      prepare(page.body, toCompressAtBest.headers, 'best', { compressNow: page.encodings(), onGrow })
        .then(
          (best) => settle(key, entry, best),
          // The page compressed fast stays.
          () => undefined,
        )
        .finally(() => {
          compressingAtBest = false;
          compressNextAtBest();
        });
      return;
    }
  };

  return {
    get(key) {
      const entry = current(key, version(key));
      if (!entry) return undefined;
      pages.delete(key);
      pages.set(key, entry);
      // Read often: worth its best compression, for the readers after this one.
      if (entry.page && ++entry.reads >= READS_FOR_BEST_COMPRESSION) compressAtBest(key, entry);
      return entry.page ?? entry.ready;
    },

    put(key, body, headers) {
      const now = version(key);
      const kept = current(key, now);
      if (kept) return kept.ready;
      const ready = prepare(body, headers, 'fast', { onGrow: () => recount(key, entry) });
      const entry: Entry = { version: now, ready, counted: 0, toCompressAtBest: { headers }, reads: 1 };
      pages.set(key, entry);
      entry.ready.then(
        (page) => settle(key, entry, page),
        () => {
          if (pages.get(key) === entry) pages.delete(key);
        },
      );
      return entry.ready;
    },
  };
}
