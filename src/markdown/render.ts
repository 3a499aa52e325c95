import { randomUUID } from 'node:crypto';
import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';
import { collapseWhitespace, escapeText, sanitizeRendered } from './html-sanitizer.js';
import { headingIds, lazyImages, tableAlignClasses, taskLists } from './markdown-plugins.js';
import { normalizeText } from './normalize.js';

/**
 * Markdown → HTML, once per write (reads never parse Markdown):
 * markdown-it (CommonMark + GFM tables, strikethrough, task lists, autolinks, heading ids,
 * images after the first loaded lazily)
 * → the sanitizer, with the allowlist shared with the source check → highlighted code blocks.
 *
 * Code is highlighted on the server, but its HTML skips the sanitizer: highlight.js escapes
 * every character of the code and adds only `<span class="hljs-…">`, so there is nothing in it
 * to sanitize, and on a post with code it was most of the sanitizer's work (374 of 1,105 µs on
 * the bench's post). Each code block leaves a marker in the page that no text can forge (it
 * holds a random id made for this render), and the marker is swapped for the code's HTML
 * after sanitizing. The `<pre><code>` around it is sanitized like everything else.
 */

/**
 * The parser configuration shared with sanitize-markdown.ts, which must read the source
 * exactly as the renderer does. Raw HTML is parsed (and then filtered), never passed blind.
 */
export const MARKDOWN_OPTIONS = { html: true, linkify: true, typographer: false } as const;

export interface RenderedMarkdown {
  /** Sanitized HTML, safe to print unescaped. */
  safeHtml: string;
  /** The text a reader sees, entities decoded and whitespace collapsed: for reading time. */
  plainText: string;
  /** The same of the prose only, headings, tables and code blocks left out (its start): for an excerpt. */
  proseText: string;
}

// Built once: markdown-it compiles its rule chains on first use, and that is the slow part.
const md = new MarkdownIt(MARKDOWN_OPTIONS).use(headingIds).use(taskLists).use(tableAlignClasses).use(lazyImages);

/** Code blocks of one render: their HTML, waiting to replace their markers. */
interface CodeBlocks {
  id: string;
  html: string[];
  text: string[];
}
const CODE_BLOCKS = Symbol('code blocks');
type Env = { [CODE_BLOCKS]: CodeBlocks };

md.renderer.rules.fence = (tokens, idx, _options, env: Env) => {
  const token = tokens[idx];
  const lang = token ? md.utils.unescapeAll(token.info).trim().split(/\s+/, 1)[0] : '';
  return codeBlock(token?.content ?? '', lang ?? '', env[CODE_BLOCKS]);
};
md.renderer.rules.table_open = () => '<table tabindex="0">\n';
md.renderer.rules.code_block = (tokens, idx, _options, env: Env) => codeBlock(tokens[idx]?.content ?? '', '', env[CODE_BLOCKS]);

/**
 * Highlights only when the fence names a language highlight.js knows (the common set, about
 * 35 languages). No auto-detection: it runs every grammar over the code and is slow.
 * Unknown or absent languages are escaped as plain text.
 */
function codeBlock(code: string, lang: string, blocks: CodeBlocks): string {
  const known = lang !== '' && hljs.getLanguage(lang) !== undefined;
  blocks.html.push(known ? hljs.highlight(code, { language: lang, ignoreIllegals: true }).value : escapeText(code));
  blocks.text.push(code);
  const classes = lang === '' ? 'hljs' : `hljs language-${md.utils.escapeHtml(lang)}`;
  return `<pre tabindex="0"><code class="${classes}">${marker(blocks.id, blocks.html.length - 1)}</code></pre>\n`;
}

// Private-use characters around the render's id and the block's number: text the sanitizer
// leaves alone (nothing to escape), and no author can know the id.
const marker = (id: string, n: number) => `\uE000${id}:${n}\uE000`;

export function renderMarkdown(markdown: string): RenderedMarkdown {
  const blocks: CodeBlocks = { id: randomUUID(), html: [], text: [] };
  const env: Env = { [CODE_BLOCKS]: blocks };
  const { html, text, prose } = sanitizeRendered(md.render(normalizeText(markdown), env));
  if (blocks.html.length === 0) return { safeHtml: html, plainText: collapseWhitespace(text), proseText: prose };
  const markers = new RegExp(`\uE000${blocks.id}:(\\d+)\uE000`, 'g');
  const fill = (parts: string[]) => (_: string, n: string) => parts[Number(n)] ?? '';
  return {
    safeHtml: html.replace(markers, fill(blocks.html)),
    plainText: collapseWhitespace(text.replace(markers, fill(blocks.text))),
    proseText: prose,
  };
}
