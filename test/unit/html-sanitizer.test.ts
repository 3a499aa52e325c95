import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import sanitizeHtmlLibrary from 'sanitize-html';
import { describe, expect, it } from 'vitest';
import { ALLOWLIST } from '../../src/markdown/allowlist.js';
import { collapseWhitespace, sanitizeRenderedHtml } from '../../src/markdown/html-sanitizer.js';
import { parsePostFile } from '../../src/posts/front-matter.js';
import { scriptableParts } from '../helpers/html.js';
import { XSS_VECTORS } from '../hostile/xss-vectors.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// Unfiltered rendering, as if no sanitizer came after: the worst HTML our pipeline could produce.
const careless = new MarkdownIt({ html: true, linkify: true });
careless.validateLink = () => true;

const postBodies = ['posts', 'test/fixtures/posts'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir)).map((file) => parsePostFile(readFileSync(path.join(ROOT, dir, file), 'utf8')).body),
);
const inputs = [
  ...postBodies.map((body) => careless.render(body)),
  ...XSS_VECTORS.flatMap((vector) => [vector.payload, careless.render(vector.payload)]),
];
// We drop these with their content; sanitize-html keeps the text inside some of them.
const DROPPED_WITH_CONTENT = /<\s*\/?\s*(noscript|iframe|noembed|noframes|xmp|template|title|object)\b/i;

describe('sanitizeRenderedHtml', () => {
  it('leaves nothing that can run, whatever it is given', () => {
    for (const input of inputs) expect(scriptableParts(sanitizeRenderedHtml(input), []), input).toEqual([]);
  });

  it('gives the same output as sanitize-html under the same allowlist', () => {
    const compared = inputs.filter((input) => !DROPPED_WITH_CONTENT.test(input));
    expect(compared.length).toBeGreaterThan(150);
    for (const input of compared) expect(sanitizeRenderedHtml(input), input).toBe(sanitizeHtmlLibrary(input, ALLOWLIST));
  });

  it('drops script-like elements together with what they contain', () => {
    expect(sanitizeRenderedHtml('<p>a<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>b</p>')).toBe('<p>ab</p>');
    expect(sanitizeRenderedHtml('<xmp><img src=x onerror=alert(1)></xmp>ok')).toBe('ok');
  });

  it('escapes text and attribute values again after decoding them', () => {
    expect(sanitizeRenderedHtml('<p>&lt;script&gt; &amp; &quot;</p>')).toBe('<p>&lt;script&gt; &amp; "</p>');
    expect(sanitizeRenderedHtml('<a href="/x" title="&quot;><script>">t</a>')).toBe('<a href="/x" title="&quot;&gt;&lt;script&gt;">t</a>');
  });
});

describe('collapseWhitespace', () => {
  it('makes every run of whitespace, of any kind, one space, and leaves none at either end', () => {
    expect(collapseWhitespace('  a  b\tc\n\nd \n e\u00a0f\u2003 \u3000g ')).toBe('a b c d e f g');
    expect(collapseWhitespace('one two three')).toBe('one two three');
    expect(collapseWhitespace(' \r\n\t ')).toBe('');
  });

  it('agrees with replacing every run, on text of words and mixed whitespace', () => {
    const pieces = ['a', 'bc', ' ', '  ', '\n', '\t', '\r\n', '\u00a0', '\u2028', '\ufeff', '\u200b'];
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let sample = 0; sample < 2_000; sample++) {
      const text = Array.from({ length: next() % 12 }, () => pieces[next() % pieces.length]).join('');
      expect(collapseWhitespace(text), JSON.stringify(text)).toBe(text.replace(/\s+/g, ' ').trim());
    }
  });
});
