import { randomBytes } from 'node:crypto';

/**
 * A multipart/form-data body built byte by byte, the way a browser builds one, so that the
 * tests control every byte the server sees (supertest's own builder strips directories from
 * file names and may refuse odd ones). As browsers do (HTML's "multipart/form-data encoding
 * algorithm"), `"`, CR and LF in names and file names are written as %22, %0D and %0A; values
 * are sent as they are.
 */
export interface MultipartFile {
  field: string;
  name: string;
  text: string | Buffer;
  type?: string;
}

export function multipartBody(fields: Record<string, string>, file?: MultipartFile): { body: Buffer; contentType: string } {
  const parts: Buffer[] = [];
  const payloads = [...Object.values(fields), ...(file ? [file.text, file.name] : [])].map((value) => Buffer.from(value));
  let boundary: string;
  do boundary = `----QuireTest${randomBytes(12).toString('hex')}`;
  while (payloads.some((payload) => payload.includes(boundary)));

  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n'));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(file.field)}"; filename="${escapeName(file.name)}"\r\n` +
          `Content-Type: ${file.type ?? 'text/markdown'}\r\n\r\n`,
      ),
      Buffer.from(file.text),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function escapeName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * An application/x-www-form-urlencoded body from the UTF-8 bytes of each value. Unlike
 * encodeURIComponent, it never throws: a lone surrogate goes out as U+FFFD, as a browser sends it.
 */
export function urlEncodedBody(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}

/** Every byte but A–Z a–z 0–9 - . _ ~ as %XX: safe in a query string and in a form body. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A URL path segment encoded as little as an HTTP client allows: `/`, `.`, `%`, `\` and the
 * rest of printable ASCII are sent as they are (so `../` stays `../`, `%2e` stays `%2e`, and a
 * stray `%` reaches the server undecoded). Only what cannot appear in a request line at all
 * (controls, space, non-ASCII) and what would end the path (`?`, `#`) is percent-encoded.
 */
export function looselyEncoded(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text)) {
    const char = String.fromCharCode(byte);
    out += byte > 0x20 && byte < 0x7f && char !== '?' && char !== '#' ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
