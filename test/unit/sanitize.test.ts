import { Parser } from 'htmlparser2';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/markdown/render.js';
import { UnsafeMarkdownError, sanitizeMarkdown } from '../../src/markdown/sanitize-markdown.js';

// A careless engine: raw HTML passes through and every link is accepted. A stored file must
// be safe even there.
const careless = new MarkdownIt({ html: true });
careless.validateLink = () => true;

const FORBIDDEN_ELEMENTS = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'svg', 'math',
  'base', 'meta', 'link', 'form', 'button', 'textarea', 'select', 'template', 'noscript', 'xmp',
  'title', 'plaintext', 'noembed', 'noframes',
]);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background', 'poster', 'srcset', 'srcdoc']);

/** Written apart from src/, so the test does not share the code it checks. */
function dangerousUrl(tag: string, value: string): boolean {
  // eslint-disable-next-line no-control-regex
  const url = value.replace(/[\u0000-\u0020\u007F-\u009F]/g, '').toLowerCase();
  if (/^(javascript|vbscript|file|livescript|mocha):/.test(url)) return true;
  return url.startsWith('data:') && !(tag === 'img' && /^data:image\/(png|gif|jpeg|webp)[;,]/.test(url));
}

/** Every problem htmlparser2 finds in `html`: elements, attributes, URLs, comments. */
function problemsIn(html: string): string[] {
  const problems: string[] = [];
  let tag = '';
  new Parser(
    {
      onopentagname(name) {
        tag = name;
        if (FORBIDDEN_ELEMENTS.has(name)) problems.push(`<${name}>`);
      },
      onattribute(name, value) {
        if (name.startsWith('on') || name === 'srcdoc') problems.push(`${tag} ${name}`);
        // The careless engine aligns table cells with a style of its own; nothing else may have one.
        if (name === 'style' && !/^text-align:(left|center|right)$/.test(value)) problems.push(`${tag} style`);
        if (URL_ATTRIBUTES.has(name) && dangerousUrl(tag, value)) problems.push(`${tag} ${name}=${value}`);
        if (tag === 'input' && name === 'type' && value.toLowerCase() !== 'checkbox') problems.push(`input type=${value}`);
      },
      oncomment: () => problems.push('comment'),
      onprocessinginstruction: (name) => problems.push(name),
    },
    { decodeEntities: true },
  ).end(html);
  if (/<script/i.test(html)) problems.push('<script text');
  return problems;
}

const VECTORS: Array<[string, string]> = [
  ['script tag', '<script>alert(1)</script>'],
  ['script, upper case, unclosed', '<SCRIPT>alert(document.cookie)'],
  ['script with src attribute', '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>'],
  ['double open bracket', '<<SCRIPT>alert("XSS");//\\<</SCRIPT>'],
  ['closing title then script', '</TITLE><SCRIPT>alert("XSS");</SCRIPT>'],
  ['img onerror', '<img src=x onerror=alert(1)>'],
  ['img onerror inside text', 'Hello <img src=x onerror="alert(1)"> world'],
  ['img javascript src', `<IMG SRC="javascript:alert('XSS');">`],
  ['img mixed-case scheme, no quotes', `<IMG SRC=JaVaScRiPt:alert('XSS')>`],
  ['img decimal entities', '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>'],
  ['img hex entities without semicolons', '<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>'],
  ['img tab entity in scheme', `<IMG SRC="jav&#x09;ascript:alert('XSS');">`],
  ['img newline entity in scheme', `<IMG SRC="jav&#x0A;ascript:alert('XSS');">`],
  ['img broken quotes then script', '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>'],
  ['img slash-separated attributes', '<img/src=x/onerror=alert(1)>'],
  ['img unclosed at end of text', '<img src=x onerror=alert(1)//'],
  ['img src data:svg', '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'],
  ['body onload with junk name', '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>'],
  ['a href javascript', '<a href="javascript:alert(1)">click</a>'],
  ['a href entity colon', '<a href="javascript&colon;alert(1)">click</a>'],
  ['a href entity-encoded letter', '<A HREF="javas&#99;ript:alert(1)">click</A>'],
  ['a href leading spaces and control entity', '<a href=" &#14;  javascript:alert(1)">click</a>'],
  ['a allowed href plus handler', '<a href="https://example.com" onmouseover="alert(1)">x</a>'],
  ['a nested in allowed markup', '<p><a href="javascript:alert(1)">nested <b>bold</b></a></p>'],
  ['svg onload', '<svg onload=alert(1)>'],
  ['svg slash onload', '<svg/onload=alert(1)>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['svg xlink href', '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>'],
  ['math href', '<math href="javascript:alert(1)">CLICKME</math>'],
  ['mXSS math/mglyph/style', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['mXSS noscript title', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ['mXSS attribute holding a tag', '<p title="</p><img src=x onerror=alert(1)>">x</p>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['iframe javascript src', '<iframe src="javascript:alert(1)"></iframe>'],
  ['object data', '<object data="javascript:alert(1)"></object>'],
  ['embed src', '<embed src="javascript:alert(1)">'],
  ['base href', '<base href="javascript:alert(1)//">'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['form action', '<form action="javascript:alert(1)"><input type="submit"></form>'],
  ['button formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['input image', `<INPUT TYPE="IMAGE" SRC="javascript:alert('XSS');">`],
  ['input autofocus onfocus', '<input type="text" onfocus="alert(1)" autofocus>'],
  ['style import', `<style>@import 'http://xss.rocks/xss.css';</style>`],
  ['style attribute', '<span style="background:url(javascript:alert(1))">x</span>'],
  ['details ontoggle', '<details open ontoggle=alert(1)>'],
  ['details holding img onerror', '<details><summary>x</summary><img src=x onerror=alert(1)></details>'],
  ['template script', '<template><script>alert(1)</script></template>'],
  ['xmp raw text', '<xmp><img src=x onerror=alert(1)></xmp>'],
  ['textarea raw text', '<textarea><img src=x onerror=alert(1)></textarea>'],
  ['comment hiding img', '<!--><img src=x onerror=alert(1)>-->'],
  ['CDATA', '<![CDATA[<img src=x onerror=alert(1)>]]>'],
  ['processing instruction', '<?xml version="1.0"?><img src=x onerror=alert(1)>'],
  ['div block, unclosed', '<div onmouseover="alert(1)">\nhover me'],
  ['html block inside a blockquote', '> <script>\n> alert(1)\n> </script>'],
  ['html inside a list item', '- <img src=x onerror=alert(1)>\n- <svg onload=alert(1)>'],
  ['html inside a heading', '# Title <img src=x onerror=alert(1)> #'],
  ['html inside a table cell', '| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | `<b>` \\| <svg onload=alert(1)> |'],
  ['html inside link text', '[<img src=x onerror=alert(1)>](https://example.com)'],
  ['markdown link javascript', '[x](javascript:alert(1))'],
  ['markdown link mixed case', '[x](JaVaScRiPt:alert(1))'],
  ['markdown link entity colon', '[x](javascript&#58;alert(1))'],
  ['markdown link tab entity', '[x](jav&#x09;ascript:alert(1))'],
  ['markdown link pointy', '[x](<javascript:alert(1)>)'],
  ['markdown link with title and spaces', '[x](  javascript:alert(1)  "title")'],
  ['markdown link vbscript', '[x](vbscript:msgbox(1))'],
  ['markdown link data html', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['markdown link file', '[x](file:///etc/passwd)'],
  ['markdown image javascript', '![x](javascript:alert(1))'],
  ['markdown image data svg', '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
  ['reference definition', '[x]: javascript:alert(1)\n\n[x] and [text][x]'],
  ['reference definition, destination on next line', '[x]:\n  javascript:alert(1) "t"\n\n[x]'],
  ['reference definition, pointy', '[click][r]\n\n[r]: <javascript:alert(1)>'],
  ['reference definition used by an image', '![x][r]\n\n[r]: data:image/svg+xml;base64,PHN2Zz4='],
  ['autolink javascript', '<javascript:alert(1)>'],
  ['autolink vbscript upper case', '<VBSCRIPT:msgbox(1)>'],
  ['image inside link, both unsafe', '[![x](javascript:alert(1))](javascript:alert(2))'],
  ['link after a code span with the same text', '`[x](javascript:alert(1))` [x](javascript:alert(1))'],
  ['backtick-quoted attribute', '<IMG SRC=`javascript:alert("XSS")`>'],
];

describe('known XSS vectors', () => {
  it('has at least 40 of them', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(VECTORS)('%s: the rendered HTML is clean', (_, vector) => {
    expect(problemsIn(renderMarkdown(vector).safeHtml)).toEqual([]);
  });

  it.each(VECTORS)('%s: the stored Markdown is clean even in a careless engine', (_, vector) => {
    const stored = sanitizeMarkdown(vector);
    expect(problemsIn(careless.render(stored))).toEqual([]);
    expect(sanitizeMarkdown(stored)).toBe(stored);
  });
});

describe('sanitizeMarkdown', () => {
  it('keeps allowed HTML byte for byte', () => {
    const text = 'Press <kbd>Ctrl</kbd>+<kbd>C</kbd>.\n\n<details><summary>x</summary>y</details>\n\n<a href="https://example.com" title="t">link</a> <img src="a.png" alt="">\n';
    expect(sanitizeMarkdown(text)).toBe(text);
  });

  it('neutralises refused HTML where it stands, as text', () => {
    expect(sanitizeMarkdown('Hi <script>alert(1)</script> there')).toBe('Hi &lt;script>alert(1)&lt;/script> there');
    expect(sanitizeMarkdown('<script>\nalert(1)\n</script>\n')).toBe('&lt;script>\nalert(1)\n&lt;/script>\n');
    expect(sanitizeMarkdown('[x](javascript:alert(1))')).toBe('[x](#javascript:alert(1))');
    expect(sanitizeMarkdown('<javascript:alert(1)>')).toBe('&lt;javascript:alert(1)>');
  });

  it('leaves code spans and fenced code untouched, even beside the same text outside code', () => {
    const text = 'Never write `<script>alert(1)</script>`, <script>alert(1)</script> or `[x](javascript:alert(1))`.\n\n```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```\n\n    <iframe src="javascript:alert(1)">\n';
    const stored = sanitizeMarkdown(text);
    expect(stored).toContain('`<script>alert(1)</script>`');
    expect(stored).toContain('`[x](javascript:alert(1))`');
    expect(stored).toContain('```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```');
    expect(stored).toContain('    <iframe src="javascript:alert(1)">\n');
    expect(stored).toContain(', &lt;script>alert(1)&lt;/script> or');
    const out = renderMarkdown(stored).safeHtml;
    expect(out).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>');
    expect(out).toContain('<span class="hljs-tag">&lt;<span class="hljs-name">script</span>&gt;</span>');
  });

  it('normalises the text it returns', () => {
    expect(sanitizeMarkdown('\uFEFFa\r\nb\u0000')).toBe('a\nb');
  });

  it('escapes a lone "<" that a lenient engine could read as a tag, which renders the same', () => {
    expect(sanitizeMarkdown('a<b and x < y')).toBe('a&lt;b and x < y');
    expect(renderMarkdown('a&lt;b').safeHtml).toBe(renderMarkdown('a<b').safeHtml);
  });

  it('is idempotent', () => {
    for (const [, vector] of VECTORS) {
      const once = sanitizeMarkdown(vector);
      expect(sanitizeMarkdown(once)).toBe(once);
    }
  });

  it('is deterministic', () => {
    const text = '<img src=x onerror=alert(1)> [x](javascript:1) `code`';
    expect(sanitizeMarkdown(text)).toBe(sanitizeMarkdown(text));
  });

  it('refuses, with a message for the author, what it cannot neutralise without changing code', () => {
    // Escaping the tag frees its backtick, which would swallow the code span `x`.
    const attempt = () => sanitizeMarkdown("<b onclick='`'>`x`");
    expect(attempt).toThrow(UnsafeMarkdownError);
    expect(attempt).toThrow(/cannot be stored safely/);
  });

  it('undoes markup nested in attributes, one level per pass', () => {
    const stored = sanitizeMarkdown(`<a title="<b title='<img src=x onerror=alert(1)>'>">x</a>`);
    expect(stored).toBe(`&lt;a title="&lt;b title='&lt;img src=x onerror=alert(1)>'>">x</a>`);
  });
});

describe('sanitizeMarkdown on generated documents', () => {
  // Vectors and ordinary Markdown, mixed and nested in every container, from a fixed seed:
  // the same documents every run, so the test cannot flake.
  const ATOMS = [
    '<img src=x onerror=alert(1)>', '<script>alert(1)</script>', '[x](javascript:alert(1))', '![y](data:image/svg+xml,x)',
    '<javascript:alert(1)>', '`<script>`', '``a ` <b onclick=x> ``', '<kbd>k</kbd>', 'a<b', '\\<img src=x onerror=1>',
    '[t][r]', '*em <svg onload=1>*', `<a title='<img src=x onerror=2>'>t</a>`, '&lt;x&gt;', '|', '\\|<img src=x onerror=3>',
    '安装 <svg/onload=5>', '[a [b] c](javascript:6)', '![a <i onclick=7>](ok.png)', '\n<div onclick=8>\n<img src=x onerror=9>\n</div>\n',
    '\n[w]:\n  javascript:11\n', '<a href="x"\n  onclick="12">', '[z](\njavascript:1)', '<!-- c -->', '#', 'word', '[ok](https://ok.example)',
  ];
  const CONTAINERS: Array<(s: string) => string> = [
    (s) => s,
    (s) => `> ${s.replace(/\n/g, '\n> ')}`,
    (s) => `- ${s.replace(/\n/g, '\n  ')}`,
    (s) => `# ${s.replace(/\n/g, ' ')} ##`,
    (s) => `${s}\n===`,
    (s) => `| h | h2 |\n|---|:-:|\n| ${s.replace(/\n/g, ' ')} | ${s.replace(/\n/g, ' ')} |`,
    (s) => `> - ${s.replace(/\n/g, '\n>   ')}`,
    (s) => `\t${s}`,
  ];
  let seed = 42;
  const random = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0; // mulberry32
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pick = <T>(list: T[]): T => list[random(list.length)] as T;
  const documents = Array.from({ length: 1500 }, () => {
    const blocks = Array.from({ length: 1 + random(4) }, () =>
      pick(CONTAINERS)(Array.from({ length: 1 + random(5) }, () => pick(ATOMS)).join(random(4) === 0 ? '\n' : ' ')),
    );
    return `${blocks.join(random(2) ? '\n\n' : '\n')}\n\n[r]: ${random(2) ? 'javascript:alert(9)' : '/ok'}`;
  });

  it('stores only documents that are clean in a careless engine and stable, or refuses them', () => {
    let refused = 0;
    for (const document of documents) {
      let stored: string;
      try {
        stored = sanitizeMarkdown(document);
      } catch (error) {
        if (!(error instanceof UnsafeMarkdownError)) throw error;
        refused++;
        continue;
      }
      expect({ document, problems: problemsIn(careless.render(stored)) }).toEqual({ document, problems: [] });
      expect(sanitizeMarkdown(stored)).toBe(stored);
    }
    // Only escaped HTML blocks that run into indented code are refused; they are rare.
    expect(refused).toBeLessThan(documents.length / 50);
  });
});
