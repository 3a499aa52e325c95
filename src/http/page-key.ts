/**
 * The query parameters a reader's page depends on. Every other one is ignored by the routes, and
 * so by the page cache: links shared on social sites carry their own (`fbclid`, `gclid`,
 * `utm_source`…), often with a new value on every click. Kept under its full URL, a post linked
 * that way was rendered and compressed again for every visit: 41 answers a second instead of
 * 27,000, just when it was being shared. A route that reads another parameter must add it here.
 */
const PAGE_PARAMETERS = ['page'];

/**
 * The URL a reader's page is kept under: the path, and only the parameters pages read. One
 * trailing slash is dropped, as the router drops it (`/posts/a-post/` is `/posts/a-post`).
 */
export function pageKey(url: string): string {
  const queryStart = url.indexOf('?');
  const path = withoutTrailingSlash(queryStart === -1 ? url : url.slice(0, queryStart));
  if (queryStart === -1) return path;
  const query = new URLSearchParams(url.slice(queryStart + 1));
  const kept = new URLSearchParams();
  for (const name of PAGE_PARAMETERS) for (const value of query.getAll(name)) kept.append(name, value);
  return kept.size === 0 ? path : `${path}?${kept.toString()}`;
}

const withoutTrailingSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
