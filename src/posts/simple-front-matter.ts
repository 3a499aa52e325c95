/**
 * A reader for the front matter Quire writes and most authors write: one `key: value` per line,
 * values that are double-quoted strings, booleans, dates, or flat lists of words and quoted
 * strings. It gives exactly what the YAML parser (core schema) gives for such text, or
 * undefined for anything else, which then goes to the YAML parser.
 *
 * Why: the `yaml` package takes ~60 µs for six lines, about 12% of rendering a post in a
 * reindex and more than the rest of reading the file; this takes a few µs. A unit test checks
 * it against the parser on generated and hostile front matter.
 */

const LINE = /^([A-Za-z_][A-Za-z0-9_-]*): (.+)$/;
// Plain scalars the core schema reads as strings: a date, or a word that is no keyword.
const DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)?$/;
const WORD = /^[A-Za-z][A-Za-z0-9_.+#-]*$/;
const KEYWORD = /^(?:true|false|null|y|n|yes|no|on|off)$/i;
// A JSON string is a YAML double-quoted string with the same meaning (YAML has more escapes).
const QUOTED = String.raw`"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4})*"`;
const JSON_STRING = new RegExp(`^${QUOTED}$`);
const ITEM = `(?:${QUOTED}|[A-Za-z][A-Za-z0-9_.+#-]*)`;
const LIST = new RegExp(String.raw`^\[ *(?:${ITEM}(?: *, *${ITEM})*)? *\]$`);
const ITEMS = new RegExp(ITEM, 'g');

export function readSimpleFrontMatter(yaml: string): Record<string, unknown> | undefined {
  const data: Record<string, unknown> = {};
  for (const line of yaml.split('\n')) {
    const match = LINE.exec(line);
    if (!match) return undefined;
    const [, key = '', raw = ''] = match;
    // A repeated key is an error for the parser; __proto__ would set the object's prototype.
    if (key === '__proto__' || Object.hasOwn(data, key)) return undefined;
    const value = scalar(raw) ?? list(raw);
    if (value === undefined) return undefined;
    data[key] = value;
  }
  return data;
}

function scalar(raw: string): string | boolean | undefined {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (JSON_STRING.test(raw)) return JSON.parse(raw) as string;
  if (DATE.test(raw) || (WORD.test(raw) && !KEYWORD.test(raw))) return raw;
  return undefined;
}

function list(raw: string): string[] | undefined {
  if (!LIST.test(raw)) return undefined;
  const items: string[] = [];
  for (const [item] of raw.matchAll(ITEMS)) {
    if (item.startsWith('"')) items.push(JSON.parse(item) as string);
    else if (KEYWORD.test(item)) return undefined;
    else items.push(item);
  }
  return items;
}
