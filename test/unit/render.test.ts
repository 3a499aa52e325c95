import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/markdown/render.js';
import { sanitizeRenderedHtml } from '../../src/markdown/html-sanitizer.js';

const html = (markdown: string) => renderMarkdown(markdown).safeHtml;

describe('renderMarkdown', () => {
  it('renders GFM tables, alignment as classes and never as a style attribute', () => {
    const out = html('| Name | Size | Note |\n|:-----|-----:|:----:|\n| a | 1 | x \\| y |\n');
    expect(out).toContain('<table tabindex="0">');
    expect(out).toContain('<th class="align-left">Name</th>');
    expect(out).toContain('<td class="align-right">1</td>');
    expect(out).toContain('<td class="align-center">x | y</td>');
    expect(out).not.toContain('style=');
  });

  it('renders task lists as disabled checkboxes labelled by the item text', () => {
    const out = html('- [ ] write tests\n- [x] ship **it**\n- plain item\n');
    expect(out).toContain('<ul class="contains-task-list">');
    expect(out).toMatch(/<li class="task-list-item"><label><input type="checkbox" disabled class="task-list-item-checkbox" \/> write tests<\/label><\/li>/);
    expect(out).toMatch(/<input type="checkbox" disabled checked class="task-list-item-checkbox" \/> ship <strong>it<\/strong><\/label>/);
    expect(out).toContain('<li>plain item</li>');
  });

  it('does not take a reference-looking bracket for a task', () => {
    expect(html('- [link] text\n- [ ]not a task\n')).not.toContain('<input');
  });

  it('renders strikethrough', () => {
    expect(html('~~gone~~')).toBe('<p><s>gone</s></p>\n');
  });

  it('links bare URLs, autolinks and e-mail addresses', () => {
    const out = html('See https://example.com/docs, <https://commonmark.org> and <me@example.com>.');
    expect(out).toContain('<a href="https://example.com/docs">https://example.com/docs</a>');
    expect(out).toContain('<a href="https://commonmark.org">https://commonmark.org</a>');
    expect(out).toContain('<a href="mailto:me@example.com">me@example.com</a>');
  });

  it('gives headings GitHub-style ids, unique within the post, keeping non-Latin letters', () => {
    const out = html('# Getting Started!\n## Getting Started\n## `npm` & Node.js\n## 安装指南\n## Getting Started\n## हिन्दी में लेख\n');
    expect(out).toContain('<h1 id="getting-started">Getting Started!</h1>');
    expect(out).toContain('<h2 id="getting-started-1">Getting Started</h2>');
    expect(out).toContain('<h2 id="npm--nodejs"><code>npm</code> &amp; Node.js</h2>');
    expect(out).toContain('<h2 id="安装指南">安装指南</h2>');
    expect(out).toContain('<h2 id="getting-started-2">Getting Started</h2>');
    expect(out).toContain('<h2 id="हिन्दी-में-लेख">हिन्दी में लेख</h2>');
  });

  it('starts every post afresh: ids do not depend on earlier renders', () => {
    expect(html('# Intro')).toBe(html('# Intro'));
    expect(html('# Intro')).toContain('id="intro"');
  });

  it('highlights fenced code with a known language on the server', () => {
    const out = html('```ts\nconst answer: number = 42;\n```\n');
    expect(out).toContain('<pre tabindex="0"><code class="hljs language-ts"><span class="hljs-keyword">const</span>');
    expect(out).toContain('<span class="hljs-number">42</span>');
  });

  it('keeps highlight.js sub-scope classes such as title.function', () => {
    expect(html('```js\nfunction greet() {}\n```\n')).toContain('<span class="hljs-title function_">greet</span>');
  });

  it('escapes code in an unknown language, or none, as plain text without guessing', () => {
    const unknown = html('```klingon\n<b>qapla</b> & "x"\n```\n');
    expect(unknown).toBe('<pre tabindex="0"><code class="hljs language-klingon">&lt;b&gt;qapla&lt;/b&gt; &amp; "x"\n</code></pre>\n');
    expect(html('```\nif (a < b) {}\n```\n')).toBe('<pre tabindex="0"><code class="hljs">if (a &lt; b) {}\n</code></pre>\n');
    expect(html('    <i>indented</i>\n')).toBe('<pre tabindex="0"><code class="hljs">&lt;i&gt;indented&lt;/i&gt;\n</code></pre>\n');
  });

  it('puts highlighted code only where its block is: a marker in the text cannot call it elsewhere', () => {
    // Code HTML skips the sanitizer and replaces a marker after it; an author may guess the
    // marker's shape, never the id made for each render.
    const forged = '\uE000' + '00000000-0000-4000-8000-000000000000:0' + '\uE000';
    const out = html(`\`\`\`js\nconst a = "<b>";\n\`\`\`\n\nText ${forged} and ![${forged}](/a.png "${forged}")\n`);
    expect(out.match(/<span class="hljs-keyword">const<\/span>/g)).toHaveLength(1);
    expect(out).toContain(`<p>Text ${forged} and <img alt="${forged}" src="/a.png" title="${forged}" /></p>`);
    expect(out).not.toContain('<b>');
  });

  it('keeps allowed raw HTML and drops what the allowlist refuses', () => {
    expect(html('Press <kbd>Ctrl</kbd>+<kbd>C</kbd>')).toBe('<p>Press <kbd>Ctrl</kbd>+<kbd>C</kbd></p>\n');
    const out = html('<details><summary>More</summary>\n\nHidden *text*\n\n</details>\n\n<script>alert(1)</script>');
    expect(out).toContain('<details><summary>More</summary>');
    expect(out).toContain('<em>text</em>');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('alert(1)');
  });

  it('allows raster data: images but not SVG ones', () => {
    expect(html('![dot](data:image/png;base64,iVBORw0KGgo=)')).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(html('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x">')).not.toContain('src=');
  });

  it('gives plain text for reading time: no tags, entities decoded, whitespace collapsed', () => {
    const { plainText } = renderMarkdown('# Title\n\nSome *emphasis* &amp; `code`,\nover   two lines.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n');
    expect(plainText).toBe('Title Some emphasis & code, over two lines. a b 1 2 done');
  });

  it('gives the prose alone for excerpts: no headings, tables or code blocks, inline code kept', () => {
    const { proseText } = renderMarkdown('# Title\n\nSome *emphasis* &amp; `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```ts\nconst x = 1;\n```\n\n    indented();\n\n> Quoted.\n\n- [x] done\n');
    expect(proseText).toBe('Some emphasis & code. Quoted. done');
  });

  it('normalises its input like the stored text', () => {
    expect(html('a\r\nb\u0000c')).toBe('<p>a\nbc</p>\n');
  });
});

describe('sanitizeRenderedHtml', () => {
  it('removes style and event-handler attributes, and refused classes', () => {
    expect(sanitizeRenderedHtml('<p style="color:red" onclick="x()" class="big">t</p>')).toBe('<p>t</p>');
    expect(sanitizeRenderedHtml('<span class="hljs-string evil">s</span>')).toBe('<span class="hljs-string">s</span>');
  });

  it('turns every input into a disabled checkbox', () => {
    expect(sanitizeRenderedHtml('<input type="text" value="x" autofocus>')).toBe('<input type="checkbox" disabled />');
  });

  it('keeps relative links, fragments and mailto, and drops other schemes', () => {
    expect(sanitizeRenderedHtml('<a href="/posts/x#y">a</a><a href="#top">b</a><a href="mailto:a@b.c">c</a>')).toBe(
      '<a href="/posts/x#y">a</a><a href="#top">b</a><a href="mailto:a@b.c">c</a>',
    );
    expect(sanitizeRenderedHtml('<a href="ftp://x">a</a><a href="java&#9;script:x">b</a>')).toBe('<a>a</a><a>b</a>');
  });
});

describe('accessible output', () => {
  it('lets a keyboard reach code blocks and tables, which scroll sideways on phones', () => {
    expect(html('```\ncode\n```\n')).toMatch(/^<pre tabindex="0">/);
    expect(html('| a |\n|---|\n| 1 |\n')).toMatch(/^<table tabindex="0">/);
    expect(sanitizeRenderedHtml('<pre tabindex="5">x</pre>')).toBe('<pre tabindex="0">x</pre>');
  });

  it('gives every image an alt, and drops an image whose source was refused', () => {
    expect(html('<img src="/a.png">')).toContain('<img alt="" src="/a.png" />');
    expect(html('![A chart](/chart.png)')).toContain('alt="A chart"');
    expect(sanitizeRenderedHtml('<p><img src="javascript:alert(1)" alt="x"></p>')).toBe('<p></p>');
  });

  it('loads every image but the first only when the reader scrolls near it', () => {
    const out = html('![First](/1.png)\n\nText.\n\n![Second](/2.png) and ![third](/3.png)\n\n> ![Quoted](/4.png)\n');
    expect(out).toContain('<img alt="First" src="/1.png" />');
    for (const image of ['2', '3', '4']) expect(out).toContain(`src="/${image}.png" loading="lazy" />`);
    expect(html('Text and ![one](/1.png).')).not.toContain('loading');
  });

  it('keeps the loading an author wrote on an image in raw HTML, and only a valid one', () => {
    expect(html('<img src="/a.png" alt="a" loading="lazy">')).toContain('<img alt="a" src="/a.png" loading="lazy" />');
    expect(html('<img src="/a.png" alt="a" loading="eager">')).toContain('loading="eager"');
    expect(html('<img src="/a.png" alt="a" loading="soon">')).not.toContain('loading');
  });
});
