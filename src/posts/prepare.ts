import { serializePostFile } from './front-matter.js';
import { recordFromFile, type PostRecord } from './record.js';
import { sanitizeMarkdown } from '../markdown/sanitize-markdown.js';
import type { NewPost } from './store.js';

/** A new post with its slug and time decided: all that is needed to make its file and index row. */
export interface PrepareJob {
  draft: NewPost;
  slug: string;
  /** ISO time of the submission: the post's date. */
  at: string;
}

export interface PreparedPost {
  /** The file's text: front matter and the sanitized Markdown. */
  text: string;
  record: PostRecord;
}

/**
 * The CPU part of writing a post (source check, file text, render), with no I/O. The row is
 * read back from the file's text exactly as a reindex would read it: the index never holds
 * anything its files would not give again.
 */
export function preparePost({ draft, slug, at }: PrepareJob): PreparedPost {
  const text = serializePostFile(
    { title: draft.title, date: at, updated: at, tags: draft.tags, draft: false },
    sanitizeMarkdown(draft.content),
    draft.extraFrontMatter,
  );
  return { text, record: recordFromFile(slug, `${slug}.md`, text, new Date(at)) };
}
