import type { MarkdownIt, StateCore, Token } from 'markdown-it';

/**
 * The small GFM pieces markdown-it leaves to plugins, written here rather than taken from
 * unvetted packages. Each is a core rule that edits the token stream after inline parsing,
 * so the renderer and the sanitizer only ever see ordinary tokens.
 */

/** Ids on headings, the way GitHub makes them, so links like `#installation` keep working. */
export function headingIds(md: MarkdownIt): void {
  md.core.ruler.push('heading_ids', (state: StateCore) => {
    const seen = new Map<string, number>(); // per document: ids are unique within a post
    state.tokens.forEach((token, i) => {
      if (token.type === 'heading_open') token.attrSet('id', uniqueSlug(headingSlug(textOf(state.tokens[i + 1])), seen));
    });
  });
}

/**
 * GitHub's rule (github-slugger): lowercase, drop everything but letters, marks, numbers,
 * `_`-like connectors, spaces and hyphens, then spaces become hyphens. Letters of every
 * script are kept, so `## 安装指南` gets `id="安装指南"`.
 */
function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** github-slugger's repeat rule: `intro`, `intro-1`, `intro-2`… never reusing an id. */
function uniqueSlug(base: string, seen: Map<string, number>): string {
  const original = base || 'section'; // an empty id is invalid HTML
  let slug = original;
  while (seen.has(slug)) {
    const count = (seen.get(original) ?? 0) + 1;
    seen.set(original, count);
    slug = `${original}-${count}`;
  }
  seen.set(slug, 0);
  return slug;
}

/** The visible text of an inline token: text and code, not raw HTML. */
function textOf(inline: Token | undefined): string {
  let text = '';
  for (const child of inline?.children ?? []) {
    if (child.type === 'text' || child.type === 'code_inline') text += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') text += ' ';
  }
  return text;
}

const TASK_MARKER = /^\[([ xX])\][ \t]/;

/**
 * GFM task lists: `- [ ] todo` and `- [x] done`. The checkbox is disabled (the page has no
 * script and nothing to submit) and is wrapped with the item's text in a <label>, which
 * gives it an accessible name.
 */
export function taskLists(md: MarkdownIt): void {
  md.core.ruler.push('task_lists', (state: StateCore) => {
    const tokens = state.tokens;
    for (let i = 2; i < tokens.length; i++) {
      const inline = tokens[i];
      const item = tokens[i - 2];
      if (inline?.type !== 'inline' || tokens[i - 1]?.type !== 'paragraph_open' || item?.type !== 'list_item_open') continue;
      const first = inline.children?.[0];
      const marker = first?.type === 'text' ? TASK_MARKER.exec(first.content) : null;
      if (!first || !marker) continue;
      first.content = first.content.slice(3); // keeps the space after `]`
      const checked = marker[1] === ' ' ? '' : ' checked';
      inline.children = [
        html(state, '<label>'),
        html(state, `<input class="task-list-item-checkbox" type="checkbox" disabled${checked}>`),
        ...(inline.children ?? []),
        html(state, '</label>'),
      ];
      item.attrJoin('class', 'task-list-item');
      const list = enclosingList(tokens, i - 2);
      if (list && list.attrGet('class') === null) list.attrSet('class', 'contains-task-list');
    }
  });
}

function html(state: StateCore, content: string): Token {
  const token = new state.Token('html_inline', '', 0);
  token.content = content;
  return token;
}

function enclosingList(tokens: Token[], itemIndex: number): Token | undefined {
  const level = (tokens[itemIndex]?.level ?? 0) - 1;
  for (let i = itemIndex - 1; i >= 0; i--) {
    const token = tokens[i];
    if (token?.level === level && token.type.endsWith('_list_open')) return token;
  }
  return undefined;
}

/**
 * markdown-it aligns table cells with `style="text-align:…"`, but no style attribute may
 * pass the allowlist (nor the CSP): the alignment becomes a class, `align-left|center|right`.
 */
export function tableAlignClasses(md: MarkdownIt): void {
  md.core.ruler.push('table_align_classes', (state: StateCore) => {
    for (const token of state.tokens) {
      if (token.type !== 'th_open' && token.type !== 'td_open') continue;
      const style = token.attrGet('style');
      const align = typeof style === 'string' ? /^text-align:(left|center|right)$/.exec(style)?.[1] : undefined;
      if (align === undefined) continue;
      token.attrs = token.attrs?.filter(([name]) => name !== 'style') ?? null;
      token.attrJoin('class', `align-${align}`);
    }
  });
}

/**
 * Images after a post's first load as the reader scrolls to them (`loading="lazy"`): a post of
 * screenshots or diagrams no longer fetches them all before the reader sees the first. The
 * first stays eager: it may be in the first screen, where loading it lazily would make the
 * page's largest paint later. An image written as raw HTML keeps what its author wrote.
 */
export function lazyImages(md: MarkdownIt): void {
  md.core.ruler.push('lazy_images', (state: StateCore) => {
    let images = 0;
    for (const token of state.tokens) {
      for (const child of token.children ?? []) {
        if (child.type === 'image' && ++images > 1) child.attrSet('loading', 'lazy');
      }
    }
  });
}
