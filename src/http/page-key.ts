/**
 * The query parameters a reader's page depends on. Every other one is ignored by the routes, and
 * so by the page cache: links shared on social sites carry their own (`fbclid`, `gclid`,
 * `utm_source`…), often with a new value on every click. Kept under its full URL, a post linked
 * that way was rendered and compressed again for every visit: 41 answers a second instead of
 * 27,000, just when it was being shared. A route that reads another parameter must add it here.
 */
const PAGE_PARAMETERS = ['page'];

/** The URL a reader's page is kept under: the path, and only the parameters pages read. */
export function pageKey(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const query = new URLSearchParams(url.slice(queryStart + 1));
  const kept = new URLSearchParams();
  for (const name of PAGE_PARAMETERS) for (const value of query.getAll(name)) kept.append(name, value);
  const path = url.slice(0, queryStart);
  return kept.size === 0 ? path : `${path}?${kept.toString()}`;
}
