/**
 * A post's URL, as every link of the site writes it. The page cache keeps a post's page under
 * this form only (see `cacheAs` in http/fast-path.ts), so links and routes must agree on it.
 */
export const postUrl = (slug: string): string => `/posts/${encodeURIComponent(slug)}`;
