import { parse as parseYaml } from 'yaml';

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
  let data: unknown;
  try {
    // The core schema reads dates as strings and has no custom tags: nothing in a file can
    // make the parser build objects or run code.
    data = parseYaml(match[1] ?? '', { schema: 'core', maxAliasCount: 0 });
  } catch (error) {
    throw new FrontMatterError(`front matter is not valid YAML: ${(error as Error).message}`);
  }
  if (data !== null && (typeof data !== 'object' || Array.isArray(data))) {
    throw new FrontMatterError('front matter must be a set of "key: value" lines');
  }
  return { data: (data ?? {}) as Record<string, unknown>, body: text.slice(match[0].length) };
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
 * title can never break out of its line. `extra` carries keys Quire does not know, kept as written.
 */
export function serializePostFile(fields: FrontMatterFields, body: string, extra = ''): string {
  const lines = [
    '---',
    `title: ${JSON.stringify(fields.title)}`,
    `date: ${fields.date}`,
    `updated: ${fields.updated}`,
    `tags: [${fields.tags.map((tag) => JSON.stringify(tag)).join(', ')}]`,
    `draft: ${fields.draft}`,
  ];
  if (extra.trim() !== '') lines.push(extra.trimEnd());
  lines.push('---');
  return `${lines.join('\n')}\n${body.endsWith('\n') ? body : `${body}\n`}`;
}
