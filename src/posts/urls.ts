/**
 * Pages' URLs, as every link of the site writes them. The page cache keeps a page under this
 * form only (see `canonicalPath` in http/fast-path.ts), so links and routes must agree on it.
 */
export const postUrl = (slug: string): string => `/posts/${encodeURIComponent(slug)}`;

/** A post's Markdown source. */
export const postSourceUrl = (slug: string): string => `${postUrl(slug)}.md`;

/** The index's page `page`; the first is the site's root. */
export const indexPageUrl = (page: number): string => (page <= 1 ? '/' : `/?page=${page}`);

/** A post's own pages (`/posts/<slug>`, `/posts/<slug>.md`): they show that post and no other. */
export const isPostPage = (url: string): boolean => url.startsWith('/posts/');
