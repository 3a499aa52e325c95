/**
 * Text is normalised before it is stored or rendered, so that the file on disk, the index
 * and every later comparison (idempotence, byte-for-byte checks) see the same characters.
 */

// Every C0 control but tab (\u0009) and newline (\u000A), DEL, and every C1 control.
// CR is gone by the time this runs (line endings are folded first).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

// A high surrogate not followed by a low one, or a low one not preceded by a high one:
// such a string cannot be written as UTF-8, so it becomes U+FFFD like any decoder would.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Unicode NFC, `\n` line endings, no BOM, no control characters but tab and newline. Pure.
 * NFC runs last: removing a control character can bring a letter and its combining mark
 * together, and they should compose.
 */
export function normalizeText(s: string): string {
  return s
    .replace(/\r\n?|[\u2028\u2029]/g, '\n') // CRLF, lone CR, LINE/PARAGRAPH SEPARATOR
    .replace(/\uFEFF/g, '') // a BOM, also one left in the middle by concatenated files
    .replace(CONTROL_CHARS, '')
    .replace(LONE_SURROGATE, '\uFFFD')
    .normalize('NFC');
}
