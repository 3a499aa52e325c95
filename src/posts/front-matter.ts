import { Document, parse as parseYaml, visit } from 'yaml';
import { readSimpleFrontMatter } from './simple-front-matter.js';

/** A post file split into its YAML front matter (all keys, known or not) and its Markdown body. */
export interface PostFile {
  data: Record<string, unknown>;
  body: string;
}

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/;

export class FrontMatterError extends Error {}

/** Splits a file; a file without front matter is all body. Throws FrontMatterError on bad YAML. */
export function parsePostFile(text: string): PostFile {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { data: {}, body: text };
  const yaml = match[1] ?? '';
  // Most front matter is simple lines, read without the YAML parser (and exactly as it reads them).
  return { data: readSimpleFrontMatter(yaml) ?? parseYamlMap(yaml), body: text.slice(match[0].length) };
}

function parseYamlMap(yaml: string): Record<string, unknown> {
  let data: unknown;
  try {
    // The core schema reads dates as strings and has no custom tags: nothing in a file can
    // make the parser build objects or run code.
    data = parseYaml(yaml, { schema: 'core', maxAliasCount: 0 });
  } catch (error) {
    throw new FrontMatterError(`front matter is not valid YAML: ${(error as Error).message}`);
  }
  if (data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    throw new FrontMatterError('front matter must be a set of "key: value" lines');
  }
  return (data ?? {}) as Record<string, unknown>;
}

export interface FrontMatterFields {
  title: string;
  date: string;
  updated: string;
  tags: string[];
  draft: boolean;
}

/**
 * Writes the file Quire stores. Strings are JSON-quoted, which is valid YAML for any text, so a
 * title can never break out of its line. `extra` carries keys Quire does not know (from an
 * uploaded file's front matter), kept with their values.
 *
 * The front matter must also be inert Markdown: an engine that does not know front matter
 * renders it as a paragraph (DESIGN.md: a file on disk must be safe to render with any common
 * Markdown engine). Every line starts with a key or a `- `, so only inline Markdown can act in
 * it: raw HTML and autolinks, which need `<`, and link destinations, which need `](`. Strings
 * holding either are double-quoted, with `<` and `(` written as YAML escapes (`\u003c`, `\u0028`),
 * which every YAML parser reads back as the same characters.
 */
export function serializePostFile(fields: FrontMatterFields, body: string, extra: Record<string, unknown> = {}): string {
  const lines = [
    '---',
    `title: ${quoted(fields.title)}`,
    `date: ${fields.date}`,
    `updated: ${fields.updated}`,
    `tags: [${fields.tags.map(quoted).join(', ')}]`,
    `draft: ${fields.draft}`,
  ];
  if (Object.keys(extra).length > 0) lines.push(serializeExtra(extra));
  lines.push('---');
  return `${lines.join('\n')}\n${body.endsWith('\n') ? body : `${body}\n`}`;
}

/** Where Markdown could start a tag, an autolink or a link destination. */
const MARKDOWN_ACTIVE = /<|\]\(/;

/** A JSON string (valid YAML), with the Markdown-active characters escaped. */
function quoted(text: string): string {
  return inert(JSON.stringify(text));
}

/**
 * Unknown keys as block YAML, as an author would write them, except that a string holding a
 * line break or Markdown-active characters is one double-quoted line: a block scalar's lines
 * could start a Markdown reference definition or HTML block of their own.
 */
function serializeExtra(extra: Record<string, unknown>): string {
  const document = new Document(extra);
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && (MARKDOWN_ACTIVE.test(node.value) || /[\n\r]/.test(node.value))) node.type = 'QUOTE_DOUBLE';
    },
  });
  // One line per scalar (no folding), JSON escapes in double quotes: then every `<` and `](`
  // of the text is inside a double-quoted scalar, where the escapes below are valid.
  return inert(document.toString({ lineWidth: 0, doubleQuotedAsJSON: true })).trimEnd();
}

/** Only for text whose every `<` and `](` is inside a double-quoted (JSON-style) string. */
function inert(quotedYaml: string): string {
  return quotedYaml.replaceAll('<', '\\u003c').replaceAll('](', ']\\u0028');
}
