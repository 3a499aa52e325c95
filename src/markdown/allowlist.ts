// sanitize-html's option types, so the allowlist can be checked against the library in tests.
import type { AllowedAttribute, Attributes, IOptions, Tag } from 'sanitize-html';

/**
 * The one HTML allowlist. It is used twice: to filter raw HTML written inside the Markdown
 * source before the file is stored (html-check.ts), and to sanitize the rendered HTML
 * before it goes into the index (html-sanitizer.ts). Anything not listed here is dropped
 * from the HTML and neutralised in the Markdown: there is no `style`, no `on*`, no
 * script-bearing element (script, style, iframe, object, embed, form, svg, math, base,
 * meta, link, template…).
 */

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

/** Absolute URLs may only use these schemes; `data:` is allowed for images only, see isSafeUrl. */
const SAFE_SCHEMES = ['http', 'https', 'mailto'];

// Raster images only: SVG is a document format that can carry script; PNG, GIF, JPEG and WebP cannot.
const SAFE_DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp)[;,]/i;

// Browsers drop these anywhere in a URL before reading its scheme (`jav&#9;ascript:`).
// eslint-disable-next-line no-control-regex
const IGNORED_IN_URLS = /[\u0000-\u0020\u007F-\u009F]/g;

/**
 * Whether `url` (already entity-decoded) may be the `href` of an `a` or the `src` of an
 * `img`. Relative URLs, fragments and `//host` are fine. Anything with a colon before its
 * first `/`, `?` or `#` has a scheme (that is what a browser will think), and the scheme
 * must be http, https or mailto, or for images a raster `data:image/…`.
 */
export function isSafeUrl(url: string, tagName: string): boolean {
  const bare = url.replace(IGNORED_IN_URLS, '');
  const colon = bare.indexOf(':');
  const firstDelimiter = bare.search(/[/?#]/);
  if (colon === -1 || (firstDelimiter !== -1 && firstDelimiter < colon)) return true;
  const scheme = bare.slice(0, colon).toLowerCase();
  if (SAFE_SCHEMES.includes(scheme)) return true;
  return tagName === 'img' && SAFE_DATA_IMAGE.test(bare);
}

/** The attributes whose values are URLs; both checks run isSafeUrl on them. */
export const URL_ATTRIBUTES = ['href', 'src'];

/** Drops a URL attribute that isSafeUrl refuses (sanitize-html cannot tell PNG from SVG `data:`). */
function dropUnsafeUrl(attribute: string) {
  return (tagName: string, attribs: Attributes): Tag => {
    const value = attribs[attribute];
    if (value === undefined || isSafeUrl(value, tagName)) return { tagName, attribs };
    const kept = { ...attribs };
    delete kept[attribute];
    return { tagName, attribs: kept };
  };
}

/** An image keeps only a safe src and always has an alt (empty when the author gave none), as HTML requires. */
function safeImage(tagName: string, attribs: Attributes): Tag {
  const { attribs: kept } = dropUnsafeUrl('src')(tagName, attribs);
  return { tagName, attribs: { alt: '', ...kept } };
}

/** Always tabindex 0 (reachable in reading order), whatever the source said: see ALLOWED_ATTRIBUTES. */
function focusable(tagName: string, attribs: Attributes): Tag {
  return { tagName, attribs: { ...attribs, tabindex: '0' } };
}

/** A rendered post never holds a working form control: every input is a disabled checkbox. */
function disabledCheckbox(tagName: string, attribs: Attributes): Tag {
  const kept: Attributes = { type: 'checkbox', disabled: '' };
  if (attribs.checked !== undefined) kept.checked = '';
  if (attribs.class !== undefined) kept.class = attribs.class;
  return { tagName, attribs: kept };
}

const ALLOWED_ATTRIBUTES: Record<string, AllowedAttribute[]> = {
  ...Object.fromEntries(HEADINGS.map((h) => [h, ['id']])),
  a: ['href', 'title'],
  img: ['src', 'alt', 'title', 'width', 'height', { name: 'loading', values: ['lazy', 'eager'] }],
  abbr: ['title'],
  ol: ['start'],
  // Code blocks and tables scroll sideways on phones; a keyboard user must be able to reach them.
  pre: ['tabindex'],
  table: ['tabindex'],
  details: ['open'],
  th: ['colspan', 'rowspan'],
  td: ['colspan', 'rowspan'],
  input: [{ name: 'type', values: ['checkbox'] }, 'disabled', 'checked'],
};

// Listing a tag here also allows its `class` attribute, with only these values
// (`*` is a glob, as in sanitize-html).
const ALLOWED_CLASSES: Record<string, Array<string | RegExp>> = {
  // highlight.js: `hljs-keyword`, and v11 sub-scopes such as `function_` or `inherited__`.
  span: ['hljs-*', /^[a-z]+_+$/],
  code: ['hljs', /^language-[\w+#.-]+$/], // the fence's language, when it looks like one
  ul: ['contains-task-list'],
  ol: ['contains-task-list'],
  li: ['task-list-item'],
  input: ['task-list-item-checkbox'],
  // Table alignment arrives as a class because no `style` attribute is allowed.
  th: ['align-left', 'align-center', 'align-right'],
  td: ['align-left', 'align-center', 'align-right'],
};

export const ALLOWLIST = {
  allowedTags: [
    ...HEADINGS, 'p', 'br', 'hr', 'blockquote', 'pre', 'code', 'kbd', 'samp', 'var',
    'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'details', 'summary',
    'em', 'strong', 'b', 'i', 's', 'del', 'ins', 'mark', 'small', 'sup', 'sub', 'abbr', 'q',
    'a', 'img', 'span', 'label', 'input',
    'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
  ],
  allowedAttributes: ALLOWED_ATTRIBUTES,
  allowedClasses: ALLOWED_CLASSES,
  allowedSchemes: SAFE_SCHEMES,
  allowedSchemesByTag: { img: [...SAFE_SCHEMES, 'data'] },
  allowedSchemesAppliedToAttributes: URL_ATTRIBUTES,
  allowProtocolRelative: true,
  disallowedTagsMode: 'discard',
  transformTags: { a: dropUnsafeUrl('href'), img: safeImage, input: disabledCheckbox, pre: focusable, table: focusable },
  // An image whose src was unsafe (or missing) shows nothing: drop it rather than leave a bare <img>.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  parseStyleAttributes: false, // no style attribute survives, so never hand one to postcss
} satisfies IOptions;

/** The classes ALLOWLIST allows on each tag, as anchored regular expressions (`hljs-*` is a glob). */
export const ALLOWED_CLASS_PATTERNS: ReadonlyMap<string, RegExp[]> = new Map(
  Object.entries(ALLOWED_CLASSES).map(([tag, patterns]) => [tag, patterns.map(classPattern)]),
);

function classPattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  const parts = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}
