import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { parsePostFile, serializePostFile } from '../../src/posts/front-matter.js';
import { scriptableParts } from '../helpers/html.js';

// An engine that knows nothing of front matter renders it as Markdown, raw HTML included.
const careless = new MarkdownIt({ html: true });
careless.validateLink = () => true;

const FIELDS = { title: 'Plain', date: '2026-11-29T10:00:00.000Z', updated: '2026-11-29T10:00:00.000Z', tags: [], draft: false };

describe('serializePostFile', () => {
  it('writes plain values as an author would', () => {
    const text = serializePostFile({ ...FIELDS, title: 'Zero-copy parsing in Rust', tags: ['rust', 'performance'] }, 'Body.', { series: 'Notes', part: 2 });
    expect(text).toBe('---\ntitle: "Zero-copy parsing in Rust"\ndate: 2026-11-29T10:00:00.000Z\nupdated: 2026-11-29T10:00:00.000Z\ntags: ["rust", "performance"]\ndraft: false\nseries: Notes\npart: 2\n---\nBody.\n');
  });

  it('writes front matter that stays text in an engine that renders it as Markdown', () => {
    const hostile = {
      title: '<script>alert(1)</script> [x](javascript:alert(2))',
      tags: ['<img src=x onerror=alert(3)>', '![i](data:text/html,x)'],
      extra: {
        description: '<svg onload=alert(4)>',
        '<b onclick=alert(5)>': 'key',
        note: 'two lines\n\n[r]: javascript:alert(6)',
        nested: { list: ['<iframe src=javascript:alert(7)>', '[y](vbscript:x)'] },
      },
    };
    const text = serializePostFile({ ...FIELDS, title: hostile.title, tags: hostile.tags }, 'A body that uses [r].', hostile.extra);
    const html = careless.render(text);
    expect(scriptableParts(html, [])).toEqual([]);
    // No element at all comes out of the values: no link, no image, no reference for the body's [r].
    expect(html.match(/<[a-z][a-z0-9]*/g)).toEqual(['<hr', '<h2', '<p']);
    expect(text).not.toContain('<');
  });

  it('reads back exactly what it wrote', () => {
    const extra = { description: 'a < b](c) & "d"\n\\e', list: ['<x>', 'line\r\nbreak'], n: 1.5, yes: true, nothing: null };
    const title = 'Vec<T> and [links](https://example.com) \\u003c';
    const { data, body } = parsePostFile(serializePostFile({ ...FIELDS, title, tags: ['<t>', '](x'] }, 'Body', extra));
    expect(data).toEqual({ ...FIELDS, title, tags: ['<t>', '](x'], ...extra });
    expect(body).toBe('Body\n');
  });
});
