import { describe, expect, it } from 'vitest';
import { readingMinutes, recordFromFile } from '../../src/posts/record.js';

const FILE_DATE = new Date('2026-11-30T10:00:00Z');
const recordOf = (text: string) => recordFromFile('a-post', 'a-post.md', text, FILE_DATE);

describe('readingMinutes', () => {
  it('counts about 230 words a minute, and at least one minute', () => {
    expect(readingMinutes('')).toBe(1);
    expect(readingMinutes('word '.repeat(460).trim())).toBe(2);
    expect(readingMinutes("don't stop, well-known ".repeat(230).trim())).toBe(3);
  });

  it('counts the same words in text with and without letters beyond ASCII', () => {
    const ascii = "It's a well-known fact: 42 words, or so. ".repeat(50);
    const accented = ascii.replaceAll('fact', 'fäct');
    expect(readingMinutes(accented)).toBe(readingMinutes(ascii));
    expect(readingMinutes('naïve café '.repeat(230))).toBe(2);
  });

  it('reads CJK text by characters, which it writes without spaces', () => {
    expect(readingMinutes('你好世界'.repeat(250))).toBe(2);
  });
});

describe('recordFromFile: the title', () => {
  it('comes from the first heading of a file without front matter, shown once, above the body', () => {
    const post = recordOf('# Notes written by hand\n\nThe first paragraph.\n\n## A section\n');
    expect(post.title).toBe('Notes written by hand');
    expect(post.safeHtml).not.toContain('<h1');
    expect(post.safeHtml).toContain('A section</h2>');
    expect(post.excerpt).toBe('The first paragraph.');
  });

  it('is shown once when the body opens with a heading of the front matter’s title', () => {
    const post = recordOf('---\ntitle: Zero-copy parsing\n---\n\n# Zero-copy parsing\n\nBody.\n');
    expect(post.safeHtml).not.toContain('<h1');
    expect(post.excerpt).toBe('Body.');
  });

  it('is shown once when it comes from a heading further down, the text around it kept', () => {
    const later = recordOf('Intro first.\n\n# The heading\n\nThen the rest.\n');
    expect(later.title).toBe('The heading');
    expect(later.safeHtml).not.toContain('<h1');
    expect(later.safeHtml).toBe('<p>Intro first.</p>\n<p>Then the rest.</p>\n');
    const afterCode = recordOf('```sh\n# install\nnpm ci\n```\n\n# Setting up a build\n\nSteps.\n');
    expect(afterCode.safeHtml).not.toContain('Setting up a build');
    expect(afterCode.safeHtml).toContain('# install');
  });

  it('leaves a heading that differs from the front matter’s title, or repeats it after the opening line', () => {
    expect(recordOf('---\ntitle: A title\n---\n# Another heading\n\nBody.\n').safeHtml).toContain('Another heading</h1>');
    expect(recordOf('---\ntitle: A title\n---\nIntro.\n\n# A title\n').safeHtml).toContain('A title</h1>');
  });

  it('reads a heading as CommonMark does: closing hashes only after a space', () => {
    expect(recordOf('# C#\n').title).toBe('C#');
    expect(recordOf('# Closed ##\n').title).toBe('Closed');
    expect(recordOf('# Windows line ends \r\n\r\nBody.\r\n')).toMatchObject({ title: 'Windows line ends', excerpt: 'Body.' });
    expect(recordOf('#not a heading\n').title).toBe('a post');
  });

  it('is never a line of a code block that comes before the first heading', () => {
    expect(recordOf('```sh\n# install\nnpm ci\n```\n\n# Setting up\n').title).toBe('Setting up');
    expect(recordOf('~~~~\n# a comment\n~~~\n~~~~~\n\nText.\n').title).toBe('a post');
  });

  it('reads a heading line of any length in one pass', () => {
    // A pattern that backtracked on the spaces would not finish on this line.
    const post = recordOf(`# Long${' '.repeat(20_000)}x\n`);
    expect(post.title).toBe(`Long${' '.repeat(20_000)}x`);
  });
});

describe('recordFromFile: the excerpt', () => {
  it('is made of the post’s prose, without its tables and code blocks', () => {
    const post = recordOf('Numbers need care.\n\n| row | req/s |\n|---|---:|\n| GET / | 44,437 |\n\n```ts\nconst ratio = 1;\n```\n\nSee `README.md`.\n');
    expect(post.excerpt).toBe('Numbers need care. See README.md.');
  });

  it('is the text of a post that has no prose, rather than nothing', () => {
    expect(recordOf('```sh\nnpm ci && npm start\n```\n').excerpt).toBe('npm ci && npm start');
  });

  it('is the front matter’s description when it has one', () => {
    expect(recordOf('---\ntitle: T\ndescription: " Said by the author. "\n---\nBody.\n').excerpt).toBe('Said by the author.');
  });
});
