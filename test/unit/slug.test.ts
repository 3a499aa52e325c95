import { describe, expect, it } from 'vitest';
import { isSlug, slugify, uniqueSlug } from '../../src/posts/slug.js';

const NOW = new Date('2026-11-29T10:00:00Z');

describe('slugify', () => {
  it.each([
    ['Zero-copy parsing in Rust', 'zero-copy-parsing-in-rust'],
    ['  Hello,   World!  ', 'hello-world'],
    ['Café crème brûlée', 'cafe-creme-brulee'],
    ['C++ & Rust: a comparison', 'c-rust-a-comparison'],
    ['你好，世界', '你好-世界'],
    ['Привет, мир', 'привет-мир'],
    ['مرحبا بالعالم', 'مرحبا-بالعالم'],
    ['हिन्दी में लेख', 'हिन्दी-में-लेख'],
    ['日本語のタイトル', '日本語のタイトル'],
    ['Ｆｕｌｌｗｉｄｔｈ', 'fullwidth'],
    ['Version 2.0 released', 'version-2-0-released'],
  ])('%s → %s', (title, slug) => {
    expect(slugify(title, NOW)).toBe(slug);
  });

  it.each([
    ['../../etc/passwd', 'etc-passwd'],
    ['..\\..\\windows\\system32', 'windows-system32'],
    ['/absolute/path', 'absolute-path'],
    ['%2e%2e%2fsecret', '2e-2e-2fsecret'],
    ['nul\u0000byte', 'nul-byte'],
    ['evil\u202Etxt.md', 'evil-txt-md'],
    ['.hidden', 'hidden'],
  ])('turns the path-like %j into the plain slug %s', (title, slug) => {
    const result = slugify(title, NOW);
    expect(result).toBe(slug);
    expect(result).not.toMatch(/[./\\\u0000]/);
  });

  it('falls back to a date-based slug when no letters or digits are left', () => {
    expect(slugify('!!! ??? ...', NOW)).toBe('post-20261129');
    expect(slugify('🎉🎉', NOW)).toBe('post-20261129');
  });

  it('avoids names Windows reserves', () => {
    expect(slugify('CON', NOW)).toBe('con-post');
    expect(slugify('nul', NOW)).toBe('nul-post');
  });

  it('keeps slugs short enough to be file names', () => {
    const slug = slugify('word '.repeat(100), NOW);
    expect(slug.length).toBeLessThanOrEqual(80);
    expect(slug.endsWith('-')).toBe(false);
    expect(Buffer.byteLength(slugify('長'.repeat(200), NOW))).toBeLessThanOrEqual(180);
  });

  it('always produces something isSlug accepts', () => {
    for (const title of ['Hello', '你好，世界', '../x', '!!!', 'a'.repeat(500), 'Ǆemal']) {
      expect(isSlug(slugify(title, NOW))).toBe(true);
    }
  });
});

describe('isSlug', () => {
  it.each(['..', '../x', 'a/b', 'a\\b', 'A', 'a--b', '-a', 'a-', '', 'a.md', 'a b'])('refuses %j', (value) => {
    expect(isSlug(value)).toBe(false);
  });
});

describe('uniqueSlug', () => {
  it('numbers from -2 until the slug is free', () => {
    const taken = new Set(['post', 'post-2']);
    expect(uniqueSlug('post', (s) => taken.has(s))).toBe('post-3');
    expect(uniqueSlug('fresh', (s) => taken.has(s))).toBe('fresh');
  });
});
