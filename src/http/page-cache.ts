import { prepareRepresentation, type Representation } from './representation.js';

/**
 * Fully rendered anonymous pages, by URL, each in every encoding with its ETag. Entries belong
 * to one version of the index: when `version()` changes (a post was written here, or another
 * process reindexed), every page is dropped at once, since a new post changes the index pages
 * as well as its own. Least recently used pages go first when the byte budget is spent.
 */
export interface PageCache {
  get(url: string): Representation | undefined;
  put(url: string, body: Buffer, headers: [string, string][], compressible: boolean): Representation;
}

export const DEFAULT_CACHE_BYTES = 48 * 1024 * 1024;

export function createPageCache({ version, maxBytes = DEFAULT_CACHE_BYTES }: { version: () => string; maxBytes?: number }): PageCache {
  // A Map keeps insertion order: re-inserting on every hit makes its first key the least recent.
  let pages = new Map<string, Representation>();
  let pagesVersion = version();
  let bytes = 0;

  const current = () => {
    const now = version();
    if (now !== pagesVersion) {
      pages = new Map();
      bytes = 0;
      pagesVersion = now;
    }
    return pages;
  };

  return {
    get(url) {
      const live = current();
      const page = live.get(url);
      if (page) {
        live.delete(url);
        live.set(url, page);
      }
      return page;
    },
    put(url, body, headers, compressible) {
      const live = current();
      const page = prepareRepresentation(body, headers, compressible);
      const previous = live.get(url);
      if (previous) bytes -= previous.bytes;
      live.delete(url);
      live.set(url, page);
      bytes += page.bytes;
      for (const [oldest, entry] of live) {
        if (bytes <= maxBytes) break;
        live.delete(oldest);
        bytes -= entry.bytes;
      }
      return page;
    },
  };
}
