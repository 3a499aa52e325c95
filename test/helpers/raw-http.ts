import net from 'node:net';

/**
 * HTTP/1.1 by hand, for requests no well-behaved client will send: bytes that are not UTF-8,
 * bodies shorter than they claim, headers that never end. fetch and supertest re-encode or
 * refuse such requests, so they cannot test them.
 */
export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number;
  text: string;
}

export interface RawOptions {
  /** Close our sending side after the request, as a client that gave up half-way does. */
  halfClose?: boolean;
  /** Give up (and fail) after this long without the server closing the connection. */
  timeoutMs?: number;
}

/**
 * Sends `request` on a new keep-alive connection, as a browser does, and reads one response:
 * until it is complete, or until the server closes the connection. (With `Connection: close`
 * Node closes as soon as it has answered, and a client still sending a large body may then get
 * a reset instead of the answer; a keep-alive client gets the answer while Node discards the rest.)
 */
export function rawRequest(port: number, request: Buffer | string, { halfClose = false, timeoutMs = 30_000 }: RawOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of response within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (isComplete(Buffer.concat(chunks))) finish();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', finish);
    socket.on('connect', () => {
      socket.write(request);
      if (halfClose) socket.end();
    });
  });
}

/** Whether `bytes` hold a whole response: its head, and as much body as it announced. */
function isComplete(bytes: Buffer): boolean {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const head = bytes.subarray(0, end).toString('latin1');
  const body = bytes.subarray(end + 4);
  const length = /^content-length: *(\d+)/im.exec(head)?.[1];
  if (length !== undefined) return body.length >= Number(length);
  if (/^transfer-encoding: *chunked/im.test(head)) return body.subarray(-5).toString('latin1') === '0\r\n\r\n';
  // 1xx-5xx without a body length (a 304, or Node's own 400/408/431): complete when it closes.
  return /^HTTP\/1\.[01] (?:1\d\d|204|304)/.test(head);
}

export interface RequestParts {
  method?: string;
  target?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body as Transfer-Encoding: chunked, in chunks of this many bytes. */
  chunkBytes?: number;
  /** Content-Length as claimed; defaults to the body's real length. */
  contentLength?: number;
}

/** One request as bytes. */
export function httpRequest({ method = 'POST', target = '/posts', headers = {}, body, chunkBytes, contentLength }: RequestParts): Buffer {
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (chunkBytes) lines.push('Transfer-Encoding: chunked');
  else if (body !== undefined || contentLength !== undefined) lines.push(`Content-Length: ${contentLength ?? payload.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return Buffer.concat([head, chunkBytes ? chunked(payload, chunkBytes) : payload]);
}

function chunked(payload: Buffer, chunkBytes: number): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += chunkBytes) {
    const chunk = payload.subarray(offset, offset + chunkBytes);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

export interface Part {
  name: string;
  value: Buffer | string;
  filename?: string;
  /** Extra header lines for this part. */
  headers?: string[];
}

export const BOUNDARY = 'quire-hostile-boundary';

/** A multipart/form-data body; `close: false` leaves the closing boundary out. */
export function multipartBody(parts: Part[], { boundary = BOUNDARY, close = true } = {}): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    const head = [`--${boundary}`, `Content-Disposition: ${disposition}`, ...(part.headers ?? [])].join('\r\n');
    pieces.push(Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  if (close) pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}
