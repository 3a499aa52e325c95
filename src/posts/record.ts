import { createHash } from 'node:crypto';
import { parsePostFile } from './front-matter.js';
import { renderMarkdown } from '../markdown/render.js';
import type { Post } from './types.js';

/** One row of the index: everything a page needs, computed once from the file's text. */
export interface PostRecord extends Post {
  fileName: string;
  draft: boolean;
  source: string;
  contentHash: string;
}

const EXCERPT_CHARS = 220;
const WORDS_PER_MINUTE = 230;
// CJK text has no spaces between words; readers get through roughly this many characters a minute.
const CJK_CHARS_PER_MINUTE = 500;
const CJK_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const WORD = /[\p{L}\p{N}'’-]+/gu;
const ASCII_WORD = /[A-Za-z0-9'-]+/g;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const HAS_CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[\ud840-\ud87f]/;

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Builds the index row for a post file. Files can be written by hand, so every field is read
 * leniently: a missing title comes from the first heading or the slug, a missing or bad date
 * from `fallbackDate` (the file's modification time).
 */
export function recordFromFile(slug: string, fileName: string, text: string, fallbackDate: Date): PostRecord {
  const { data, body } = parsePostFile(text);
  const title = readTitle(data.title, body, slug);
  const { safeHtml, plainText, proseText } = renderMarkdown(withoutTitleHeading(body, title));
  const date = readDate(data.date) ?? fallbackDate.toISOString();
  return {
    slug,
    fileName,
    title,
    date,
    updated: readDate(data.updated) ?? date,
    tags: readTags(data.tags),
    draft: data.draft === true,
    // Its prose: a table's cells or a block of code read as noise in a list of posts. A post of
    // nothing else is excerpted all the same.
    excerpt: typeof data.description === 'string' ? data.description.trim() : excerptOf(proseText || plainText),
    readingMinutes: readingMinutes(plainText),
    safeHtml,
    source: text,
    contentHash: hashText(text),
  };
}

// A line that is a level-1 ATX heading (`# Title`).
const TITLE_HEADING_START = /^#[ \t]/;
// The body's first line that is not blank, and the blank ones before it.
const OPENING_LINE = /^(?:[ \t\r]*\n)*([^\n]*)\n?/;

function readTitle(value: unknown, body: string, slug: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  return firstHeadingText(body) || slug.replaceAll('-', ' ');
}

// A code fence's opening line (` ``` ` or `~~~`, indented up to three spaces), and its closing one.
const FENCE_OPENING = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSING = /^ {0,3}(`{3,}|~{3,})[ \t]*\r?$/;

/** The text of the body's first `# heading`, outside code fences (`# install` in a shell block is no title). */
function firstHeadingText(body: string): string | undefined {
  let fence: string | undefined;
  for (let start = 0; start < body.length; ) {
    const end = body.indexOf('\n', start);
    const line = body.slice(start, end < 0 ? body.length : end);
    start = end < 0 ? body.length : end + 1;
    if (fence) {
      const closing = FENCE_CLOSING.exec(line)?.[1];
      if (closing && closing[0] === fence[0] && closing.length >= fence.length) fence = undefined;
      continue;
    }
    fence = FENCE_OPENING.exec(line)?.[1];
    const heading = fence ? undefined : headingText(line);
    if (heading) return heading;
  }
  return undefined;
}

/**
 * The text of a `# heading` line, without its closing `#`s when a space sets them apart
 * (`# C#` is titled "C#", as CommonMark reads it). Read by hand: a pattern with a lazy group
 * before optional spaces backtracks quadratically on a long line of spaces.
 */
function headingText(line: string): string | undefined {
  if (!TITLE_HEADING_START.test(line)) return undefined;
  let end = line.trimEnd().length;
  let closing = end;
  while (closing > 1 && line[closing - 1] === '#') closing--;
  if (closing < end && (line[closing - 1] === ' ' || line[closing - 1] === '\t')) end = closing;
  return line.slice(1, end).trim();
}

/**
 * The body without its opening line when that line is a heading of the post's title: the page
 * shows the title above the body, and a file that opens with `# Its title` (how a file
 * without front matter names itself, and how many Markdown files begin) showed it twice, and
 * began its excerpt with it. A heading that differs from the title stays.
 */
function withoutTitleHeading(body: string, title: string): string {
  const [opening = '', line = ''] = OPENING_LINE.exec(body) ?? [];
  return headingText(line) === title ? body.slice(opening.length) : body;
}

function readDate(value: unknown): string | undefined {
  if (value instanceof Date || typeof value === 'string') {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  return undefined;
}

function readTags(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const tags = list
    .filter((tag): tag is string | number => typeof tag === 'string' || typeof tag === 'number')
    .map((tag) => String(tag).trim())
    .filter((tag) => tag !== '');
  return [...new Set(tags)];
}

export function excerptOf(plainText: string): string {
  if (plainText.length <= EXCERPT_CHARS) return plainText;
  const cut = plainText.slice(0, EXCERPT_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > EXCERPT_CHARS / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

export function readingMinutes(plainText: string): number {
  // The Unicode-aware counts are slow on long text (~65 µs on a 4 KB post, against ~17 µs for
  // the ASCII pattern, which finds the same words in ASCII text); most posts have no CJK at all.
  const cjk = HAS_CJK.test(plainText) ? (plainText.match(CJK_CHARACTER)?.length ?? 0) : 0;
  const words = plainText.match(ASCII_ONLY.test(plainText) ? ASCII_WORD : WORD)?.length ?? 0;
  return Math.max(1, Math.round(words / WORDS_PER_MINUTE + cjk / CJK_CHARS_PER_MINUTE));
}
