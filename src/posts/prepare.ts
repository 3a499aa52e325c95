import { sanitizeMarkdown } from '../markdown/sanitize-markdown.js';
import { serializePostFile } from './front-matter.js';
import { recordFromFile, type PostRecord } from './record.js';
import type { Draft } from './types.js';

/** A draft as the form hands it over: `extraFrontMatter` holds unknown keys of an uploaded file. */
export interface NewPost extends Draft {
  extraFrontMatter?: Record<string, unknown>;
}

/** A new post, once it has a slug and a time (an ISO 8601 string, so that it travels to a thread). */
export interface PostJob {
  slug: string;
  draft: NewPost;
  at: string;
}

/** What a create stores: the file's text, and the index row read from it. */
export interface PreparedPost {
  text: string;
  record: PostRecord;
}

/**
 * The post needed more memory to render than its thread may take (preparing-thread.ts). The
 * message is meant for the author.
 */
export class PostTooLargeToRenderError extends Error {
  constructor(heapMb: number) {
    super(`This post needs more than ${heapMb} MB of memory to render, so it was not published. Split it into smaller posts, or shorten its tables and lists.`);
    this.name = 'PostTooLargeToRenderError';
  }
}

/** Prepares a new post, in this thread or another (see preparing-thread.ts). */
export type PostPreparer = (job: PostJob) => Promise<PreparedPost>;

/**
 * Sanitizes the draft's Markdown, writes the file's text, and reads the row back from that text
 * exactly as a reindex would read it. Throws UnsafeMarkdownError for Markdown that cannot be
 * made safe.
 */
export function preparePost(job: PostJob): PreparedPost {
  const text = fileText(job);
  return { text, record: rowOf(job, text) };
}

function fileText({ draft, at }: PostJob): string {
  return serializePostFile(
    { title: draft.title, date: at, updated: at, tags: draft.tags, draft: false },
    sanitizeMarkdown(draft.content),
    draft.extraFrontMatter,
  );
}

const rowOf = ({ slug, at }: PostJob, text: string) => recordFromFile(slug, `${slug}.md`, text, new Date(at));

/**
 * The same steps on this thread, one turn of the event loop apart: a typical post holds the
 * thread for about a millisecond in all (most of it the render), and readers' requests that
 * arrive meanwhile are answered between the steps instead of after all of them.
 */
export const prepareInThisThread: PostPreparer = async (job) => {
  await nextTurn();
  const text = fileText(job);
  await nextTurn();
  return { text, record: rowOf(job, text) };
};

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
