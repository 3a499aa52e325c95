import type { Token } from 'markdown-it';
import { isSafeUrl } from './allowlist.js';
import { DEFINITIONS, type Destination, auditor, metaOf } from './audit-parser.js';
import { findDisallowedHtml } from './html-check.js';
import { type Locate, type SourceLines, type TableRow, locateInAtxHeading, locateInLines, locateInTableCell, sourceLines } from './source-offsets.js';

/**
 * Reads Markdown source the way a careless engine would and reports every unsafe spot with
 * the source edit that neutralises it: raw HTML the allowlist refuses, link and image
 * destinations with a refused scheme, and `<` that a lenient engine could take for a tag.
 * Code spans and code blocks are never reported, so never edited.
 */

/** Replace `remove` characters at offset `at` with `insert`. */
export interface Edit { at: number; remove: number; insert: string }
/** `edits` is empty when the spot could not be located in the source. */
export interface Finding { problem: string; edits: Edit[] }
export interface Audit { findings: Finding[]; code: string[] }

export function auditMarkdown(source: string): Audit {
  const definitions: Destination[] = [];
  const tokens = auditor.parse(source, { [DEFINITIONS]: definitions });
  const lines = sourceLines(source);
  const audit: Audit = { findings: [], code: [] };
  let row: TableRow | undefined;
  let cell = -1;
  tokens.forEach((token, i) => {
    if (token.type === 'html_block') {
      const problem = findDisallowedHtml(token.content);
      if (problem) audit.findings.push({ problem, edits: escapeLines(lines, token.map) });
    } else if (token.type === 'fence' || token.type === 'code_block') audit.code.push(token.content);
    else if (token.type === 'tr_open') [row, cell] = [metaOf(token).row, -1];
    else if (token.type === 'th_open' || token.type === 'td_open') cell++;
    else if (token.type === 'inline') {
      const [parent, inRow, inCell] = [tokens[i - 1], row, cell];
      // Built only if something in this token must be located: most tokens are clean.
      auditInline(token.children ?? [], lazy(() => locator(lines, parent, token, inRow, inCell)), lines, audit);
    }
  });
  for (const { at, url } of definitions) {
    if (!isSafeUrl(url, 'a')) audit.findings.push({ problem: `a link to “${url}”`, edits: prefixDestination(lines, at) });
  }
  return audit;
}

function auditInline(children: Token[], locate: Locate, lines: SourceLines, audit: Audit): void {
  for (const child of children) {
    const { at, labelStart } = metaOf(child);
    if (child.type === 'code_inline') audit.code.push(child.content);
    const problem = problemOf(child);
    if (problem) {
      const where = at === undefined ? undefined : locate(at);
      // Tags and autolinks lose their `<`; links and images keep their text, not their URL.
      const isLink = child.type === 'image' || (child.type === 'link_open' && child.markup !== 'autolink');
      audit.findings.push({ problem, edits: isLink ? prefixDestination(lines, where) : escapeAt(lines, where) });
    }
    if (child.type === 'image') {
      auditInline(child.children ?? [], (p) => (labelStart === undefined ? undefined : locate(p + labelStart)), lines, audit);
    }
  }
}

function problemOf(token: Token): string | undefined {
  const refusedUrl = (attribute: string, tag: string) => {
    const url = String(token.attrGet(attribute) ?? '');
    return isSafeUrl(url, tag) ? undefined : `a link to “${url}”`;
  };
  switch (token.type) {
    case 'html_inline': return findDisallowedHtml(token.content);
    case 'stray_lt': return 'a “<” that a lenient Markdown engine could read as a tag';
    case 'link_open': return refusedUrl('href', 'a');
    case 'image': return refusedUrl('src', 'img');
    default: return undefined;
  }
}

/** The content-to-source map for an inline token, from the block that made it. */
function locator(lines: SourceLines, parent: Token | undefined, inline: Token, row: TableRow | undefined, cell: number): Locate {
  const line = inline.map?.[0];
  if (parent?.type === 'th_open' || parent?.type === 'td_open') return row ? locateInTableCell(lines, row, cell, inline.content) : () => undefined;
  if (line === undefined) return () => undefined;
  if (parent?.type === 'heading_open' && parent.markup.startsWith('#')) return locateInAtxHeading(lines, line, inline.content);
  return locateInLines(lines, line, inline.content); // paragraphs and setext headings
}

function lazy(build: () => Locate): Locate {
  let built: Locate | undefined;
  return (p) => (built ??= build())(p);
}

/** `<` becomes `&lt;`: the tag shows as text in every engine. */
function escapeAt(lines: SourceLines, at: number | undefined): Edit[] {
  return at !== undefined && lines.text[at] === '<' ? [{ at, remove: 1, insert: '&lt;' }] : [];
}

/** Every `<` of a refused HTML block, which then reads as a paragraph of text. */
function escapeLines(lines: SourceLines, map: [number, number] | null): Edit[] {
  if (!map) return [];
  const edits: Edit[] = [];
  for (let at = lines.start(map[0]); at < lines.end(map[1] - 1); at++) edits.push(...escapeAt(lines, at));
  return edits;
}

/** `javascript:x` becomes `#javascript:x` (and `<javascript:x>` `<#javascript:x>`): a fragment. */
function prefixDestination(lines: SourceLines, at: number | undefined): Edit[] {
  if (at === undefined) return [];
  return [{ at: lines.text[at] === '<' ? at + 1 : at, remove: 0, insert: '#' }];
}
