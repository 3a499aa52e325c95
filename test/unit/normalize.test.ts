import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/markdown/normalize.js';

describe('normalizeText', () => {
  it('folds CRLF, lone CR and the Unicode line separators into \\n', () => {
    expect(normalizeText('a\r\nb\rc\u2028d\u2029e\n')).toBe('a\nb\nc\nd\ne\n');
  });

  it('strips a byte order mark, at the start or left in the middle', () => {
    expect(normalizeText('\uFEFF# Title\n\uFEFFtext')).toBe('# Title\ntext');
  });

  it('strips NUL and every other C0 and C1 control but tab and newline', () => {
    expect(normalizeText('a\u0000b\u0007c\u000Bd\u000Ce\u001Bf\u007Fg\u0085h\u009Fi')).toBe('abcdefghi');
    expect(normalizeText('col1\tcol2\nnext')).toBe('col1\tcol2\nnext');
  });

  it('composes to NFC, also when a control character sat between a letter and its accent', () => {
    expect(normalizeText('Cafe\u0301')).toBe('Café');
    expect(normalizeText('e\u0000\u0301')).toBe('\u00E9');
    expect(normalizeText('한글')).toBe('한글'.normalize('NFC'));
  });

  it('replaces lone surrogates, which cannot be written as UTF-8', () => {
    expect(normalizeText('a\uD800b\uDC00c')).toBe('a\uFFFDb\uFFFDc');
    expect(normalizeText('emoji 😀')).toBe('emoji 😀');
  });

  it('is idempotent and leaves ordinary text alone', () => {
    const text = '# Título\n\n- [x] 安装指南\n\tcode\n';
    expect(normalizeText(text)).toBe(text);
    expect(normalizeText(normalizeText('x\r\n\u0000y'))).toBe(normalizeText('x\r\n\u0000y'));
  });
});
