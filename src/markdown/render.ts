import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';
import { sanitizeRendered } from './html-sanitizer.js';
import { headingIds, tableAlignClasses, taskLists } from './markdown-plugins.js';
import { normalizeText } from './normalize.js';

/**
 * Markdown → HTML, once per write (reads never parse Markdown):
 * markdown-it (CommonMark + GFM tables, strikethrough, task lists, autolinks, heading ids)
 * → highlight.js on the server → the sanitizer, with the allowlist shared with the source check.
 */

/**
 * The parser configuration shared with sanitize-markdown.ts, which must read the source
 * exactly as the renderer does. Raw HTML is parsed (and then filtered), never passed blind.
 */
export const MARKDOWN_OPTIONS = { html: true, linkify: true, typographer: false } as const;

export interface RenderedMarkdown {
  /** Sanitized HTML, safe to print unescaped. */
  safeHtml: string;
  /** The text a reader sees, entities decoded and whitespace collapsed: for excerpts and reading time. */
  plainText: string;
}

// Built once: markdown-it compiles its rule chains on first use, and that is the slow part.
const md = new MarkdownIt(MARKDOWN_OPTIONS).use(headingIds).use(taskLists).use(tableAlignClasses);

md.renderer.rules.fence = (tokens, idx) => {
  const token = tokens[idx];
  const lang = token ? md.utils.unescapeAll(token.info).trim().split(/\s+/, 1)[0] : '';
  return codeBlock(token?.content ?? '', lang ?? '');
};
md.renderer.rules.table_open = () => '<table tabindex="0">\n';
md.renderer.rules.code_block = (tokens, idx) => codeBlock(tokens[idx]?.content ?? '', '');

/**
 * Highlights only when the fence names a language highlight.js knows (the common set, about
 * 35 languages). No auto-detection: it runs every grammar over the code and is slow.
 * Unknown or absent languages are escaped as plain text.
 */
function codeBlock(code: string, lang: string): string {
  const known = lang !== '' && hljs.getLanguage(lang) !== undefined;
  const body = known ? hljs.highlight(code, { language: lang, ignoreIllegals: true }).value : md.utils.escapeHtml(code);
  const classes = lang === '' ? 'hljs' : `hljs language-${md.utils.escapeHtml(lang)}`;
  return `<pre tabindex="0"><code class="${classes}">${body}</code></pre>\n`;
}

export function renderMarkdown(markdown: string): RenderedMarkdown {
  const { html, text } = sanitizeRendered(md.render(normalizeText(markdown)));
  return { safeHtml: html, plainText: text };
}
