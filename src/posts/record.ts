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
  const titled = titleOf(data.title);
  // With a title in the front matter, only a heading that opens the body can repeat it.
  const heading = titled === undefined ? firstHeading(body) : openingHeading(body);
  const title = titled ?? heading?.text ?? slug.replaceAll('-', ' ');
  const { safeHtml, plainText, proseText } = renderMarkdown(heading?.text === title ? withoutTitleHeading(body, heading) : body);
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

/** The front matter's title, when it has one. */
function titleOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A `# heading` of the body: its text, and where its line starts and ends (past its line break). */
interface Heading {
  text: string;
  start: number;
  end: number;
}

// A line that is a level-1 ATX heading (`# Title`).
const TITLE_HEADING_START = /^#[ \t]/;
// The body's first line that is not blank, and the blank ones before it.
const OPENING_LINE = /^((?:[ \t\r]*\n)*)([^\n]*)\n?/;

// A code fence's opening line (` ``` ` or `~~~`, indented up to three spaces), and its closing one.
const FENCE_OPENING = /^ {0,3}(`{3,}|~{3,})/;
const FENCE_CLOSING = /^ {0,3}(`{3,}|~{3,})[ \t]*\r?$/;

/** The body's first `# heading`, outside code fences (`# install` in a shell block is no title). */
function firstHeading(body: string): Heading | undefined {
  let fence: string | undefined;
  for (let start = 0; start < body.length; ) {
    const newline = body.indexOf('\n', start);
    const end = newline < 0 ? body.length : newline + 1;
    const line = body.slice(start, newline < 0 ? body.length : newline);
    if (fence) {
      const closing = FENCE_CLOSING.exec(line)?.[1];
      if (closing && closing[0] === fence[0] && closing.length >= fence.length) fence = undefined;
    } else {
      fence = FENCE_OPENING.exec(line)?.[1];
      const text = fence ? undefined : headingText(line);
      if (text) return { text, start, end };
    }
    start = end;
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

/** The body's opening line, when it is a `# heading`. */
function openingHeading(body: string): Heading | undefined {
  const [opening = '', blank = '', line = ''] = OPENING_LINE.exec(body) ?? [];
  const text = headingText(line);
  return text ? { text, start: blank.length, end: opening.length } : undefined;
}

/**
 * The body without the heading of the post's title, which the page shows above the body: a
 * file without front matter is titled by its first heading, and a file that opens with
 * `# Its title` (as many Markdown files do) showed it twice, and began its excerpt with it.
 * Any other heading stays.
 */
function withoutTitleHeading(body: string, heading: Heading): string {
  return body.slice(0, heading.start) + body.slice(heading.end);
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
