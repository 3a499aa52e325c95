import MarkdownIt from 'markdown-it';
import type { Ruler, StateBlock, StateInline, Token } from 'markdown-it';
import { MARKDOWN_OPTIONS } from './render.js';
import type { TableRow } from './source-offsets.js';

/**
 * The audit's markdown-it: it parses exactly as the renderer does, but leaves in its tokens
 * the positions markdown-it normally throws away, so that the audit can edit the source at
 * the right place:
 * - `meta.at` on html_inline, autolink, link, image and stray `<` tokens: where, in the
 *   inline content, the `<` or the link destination starts;
 * - `meta.labelStart` on images, whose alt text is parsed on its own;
 * - `meta.row` on table rows, whose cells carry no position;
 * - env[DEFINITIONS]: every reference definition's destination, with its source offset.
 */

/** A link destination as written (entity-decoded, unescaped) and its offset in the source. */
export interface Destination { at: number; url: string }
export interface Meta { at?: number; labelStart?: number; row?: TableRow }
export const metaOf = (token: Token): Meta => (token.meta ?? {}) as Meta;

// The renderer's options, but every link is kept (markdown-it hides `javascript:` links,
// another engine would not), URLs are seen as written (percent-encoding would hide
// `jav&#9;ascript:`), and linkify is off (bare text is no link in the source).
export const auditor = new MarkdownIt({ ...MARKDOWN_OPTIONS, linkify: false });
auditor.validateLink = () => true;
auditor.normalizeLink = (url) => url;

// markdown-it's list of rules, which its type declarations leave out.
type RuleList<F> = { __rules__: { name: string; fn: F; alt: string[] }[] };

/** Swaps a rule for a wrapped one, keeping its `alt` chains (Ruler.at would drop them). */
function wrapRule<F>(ruler: Ruler<F>, name: string, wrap: (rule: F) => F): void {
  const entry = (ruler as Ruler<F> & RuleList<F>).__rules__.find((r) => r.name === name);
  if (!entry) throw new Error(`markdown-it has no rule named ${name}`);
  ruler.at(name, wrap(entry.fn), { alt: entry.alt });
}

/** Records where in the inline content a token's unsafe part starts, in `meta.at`. */
function recordStart(name: string, type: string, where: (state: StateInline, start: number, token: Token) => Meta): void {
  wrapRule(auditor.inline.ruler, name, (rule) => (state: StateInline, silent: boolean) => {
    const start = state.pos;
    const before = state.tokens.length;
    const ok = rule(state, silent);
    const token = ok && !silent ? state.tokens.slice(before).find((t) => t.type === type) : undefined;
    if (token) token.meta = { ...token.meta, ...where(state, start, token) };
    return ok;
  });
}
recordStart('html_inline', 'html_inline', (_, start) => ({ at: start }));
recordStart('autolink', 'link_open', (_, start) => ({ at: start }));
recordStart('link', 'link_open', (state, start, t) => ({ at: destinationStart(state, start, false, t.attrGet('href')) }));
// An image's alt text is parsed on its own, so its tokens count from the label's start.
recordStart('image', 'image', (state, start, t) => ({ at: destinationStart(state, start + 1, true, t.attrGet('src')), labelStart: start + 2 }));

/** Where `(dest)` starts after `[label]`; undefined for `[label][ref]`, whose definition is audited. */
function destinationStart(state: StateInline, bracket: number, image: boolean, url: unknown): number | undefined {
  const labelEnd = state.md.helpers.parseLinkLabel(state, bracket, !image);
  if (labelEnd < 0 || state.src[labelEnd + 1] !== '(') return undefined;
  let pos = labelEnd + 2;
  while (pos < state.posMax && /[ \t\n]/.test(state.src[pos] ?? '')) pos++;
  const dest = state.md.helpers.parseLinkDestination(state.src, pos, state.posMax);
  return dest.ok && dest.str === url ? pos : undefined; // else the `(…)` was text and a reference won
}

// `<` + letter, `!`, `?` or `/` that is neither a tag nor an autolink to markdown-it is text
// here, but a lenient engine may start a tag there. Runs last, when all else has failed.
auditor.inline.ruler.push('stray_lt', (state, silent) => {
  if (state.src[state.pos] !== '<' || !/[A-Za-z!?/]/.test(state.src[state.pos + 1] ?? '')) return false;
  if (!silent) state.push('stray_lt', '', 0).meta = { at: state.pos };
  state.pos++;
  return true;
});

// Reference definitions are parsed straight from the source, so the destination offset is
// the one markdown-it hands to parseLinkDestination while the reference rule runs.
let captured: Destination[] | undefined;
const parseLinkDestination = auditor.helpers.parseLinkDestination;
// Declared read-only, but markdown-it reads helpers from the instance on every parse.
(auditor as { helpers: MarkdownIt['helpers'] }).helpers = {
  ...auditor.helpers,
  parseLinkDestination: (str: string, start: number, max: number) => {
    const result = parseLinkDestination(str, start, max);
    if (result.ok) captured?.push({ at: start, url: result.str });
    return result;
  },
};
/** Key of the env array that collects reference definitions during a parse. */
export const DEFINITIONS = Symbol('definitions');
wrapRule(auditor.block.ruler, 'reference', (rule) => (state: StateBlock, startLine: number, endLine: number, silent: boolean) => {
  const seen: Destination[] = (captured = []);
  const ok = rule(state, startLine, endLine, silent);
  captured = undefined;
  if (ok && !silent && seen[0]) (state.env[DEFINITIONS] as Destination[]).push(seen[0]);
  return ok;
});

// Table cells carry no position; their row's does, with the offsets markdown-it cuts from.
wrapRule(auditor.block.ruler, 'table', (rule) => (state: StateBlock, startLine: number, endLine: number, silent: boolean) => {
  const before = state.tokens.length;
  const ok = rule(state, startLine, endLine, silent);
  for (const token of ok && !silent ? state.tokens.slice(before) : []) {
    const line = token.type === 'tr_open' ? token.map?.[0] : undefined;
    if (line === undefined) continue;
    token.meta = { row: { start: (state.bMarks[line] ?? 0) + (state.tShift[line] ?? 0), end: state.eMarks[line] ?? 0 } };
  }
  return ok;
});
