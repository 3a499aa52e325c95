/** What the index knows about a post, enough to list it. Dates are ISO 8601 strings. */
export interface PostSummary {
  slug: string;
  title: string;
  date: string;
  updated: string;
  tags: string[];
  excerpt: string;
  readingMinutes: number;
}

/** A post as a reader sees it: `safeHtml` was rendered and sanitized when the post was written. */
export interface Post extends PostSummary {
  safeHtml: string;
}

/** What an author submits; becomes a post once it has a slug, a date and rendered HTML. */
export interface Draft {
  title: string;
  content: string;
  tags: string[];
}

export interface Page<T> {
  items: T[];
  number: number;
  hasNewer: boolean;
  hasOlder: boolean;
}
