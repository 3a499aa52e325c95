import { describe, expect, it } from 'vitest';
import { readingMinutes } from '../../src/posts/record.js';

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
