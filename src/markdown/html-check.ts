import { Parser } from 'htmlparser2';
import { ALLOWED_CLASS_PATTERNS, ALLOWLIST, URL_ATTRIBUTES, isSafeUrl } from './allowlist.js';

/**
 * Checks raw HTML written inside Markdown against the same ALLOWLIST that sanitizes the
 * rendered page. It is stricter than sanitizing: the stored file must be safe for any
 * Markdown engine, which copies raw HTML through untouched, so nothing can be half-allowed.
 * One disallowed tag, attribute, class or URL makes the whole fragment disallowed.
 */

const ALLOWED_TAGS = new Set(ALLOWLIST.allowedTags);

// `<!` and `<?` open comments, doctypes, CDATA and processing instructions (bogus comments
// to a browser). None is allowed, whatever a parser makes of what follows.
const MARKUP_DECLARATION = /<[!?]/;

// A browser reads `</` + letter as an end tag and `</` + anything else as a bogus comment.
// htmlparser2 stays silent about end tags of elements that are not open, so they are
// checked here, all of them.
const END_TAG = /<\/([^\s/>]*)/g;

/** Undefined when every part of `html` is allowed; otherwise a short description of the first problem. */
export function findDisallowedHtml(html: string): string | undefined {
  if (MARKUP_DECLARATION.test(html)) return 'an HTML comment or declaration';
  for (const [, name = ''] of html.matchAll(END_TAG)) {
    if (!ALLOWED_TAGS.has(name.toLowerCase())) return `</${name}>`;
  }
  let problem: string | undefined;
  let tag = '';
  // The parser sanitize-html uses, so both checks read tags and attributes alike.
  // onattribute also sees repeated attributes, which the parsed element would hide.
  const parser = new Parser(
    {
      onopentagname(name) {
        tag = name;
        if (!ALLOWED_TAGS.has(name)) problem ??= `<${name}>`;
      },
      onattribute(name, value) {
        if (!attributeAllowed(tag, name, value)) problem ??= `the ${name} attribute of <${tag}>`;
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return problem;
}

function attributeAllowed(tag: string, name: string, value: string): boolean {
  // A `<` in a value only matters to a parser that ends the tag early, which is how
  // mutation XSS starts (`<p title="</noscript><img onerror=…>">`). No real post needs one.
  if (value.includes('<')) return false;
  if (name === 'class') return classesAllowed(tag, value);
  const rule = ALLOWLIST.allowedAttributes[tag]?.find((r) => (typeof r === 'string' ? r : r.name) === name);
  if (rule === undefined) return false;
  if (typeof rule !== 'string') {
    const values = rule.multiple ? value.split(' ') : [value];
    if (!values.every((v) => rule.values.includes(v))) return false;
  }
  return !URL_ATTRIBUTES.includes(name) || isSafeUrl(value, tag);
}

function classesAllowed(tag: string, value: string): boolean {
  const patterns = ALLOWED_CLASS_PATTERNS.get(tag);
  if (patterns === undefined) return false;
  return value
    .split(/\s+/)
    .filter(Boolean)
    .every((cls) => patterns.some((pattern) => pattern.test(cls)));
}
