/**
 * Sizes and shapes (issue 4, item 4). Oversized, too many, malformed, truncated, mistyped and
 * mis-encoded requests each get a clear 4xx (or a timeout), never a 5xx; nothing half-made is
 * left in the posts folder; memory stays bounded; and the server keeps serving others while
 * slow clients hold sockets open.
 *
 * The byte-exact cases run against the app in this process over a raw socket; the headers,
 * the slow-loris clients and the memory figures need the real server (`dist/src/server.js`),
 * with the timeouts server.ts sets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { AUTHOR_PASSWORD, makeTestApp } from '../helpers/app.js';
import { BOUNDARY, httpRequest, multipartBody, rawRequest, type Part, type RequestParts } from '../helpers/raw-http.js';
import { escapeHtml, eventually, memoryOf, postOverHttp, signInOverHttp, startSite, tempSite, type AuthorSession } from '../helpers/real-site.js';

const MiB = 1024 * 1024;
const URLENCODED = 'application/x-www-form-urlencoded';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

// Figures for the README: how many inputs each group tried, and what came back.
const figures = { inputs: 0, serverErrors: 0, peakRssMiB: 0 };
afterAll(() => console.log(`[figures] sizes and shapes: ${figures.inputs} inputs, ${figures.serverErrors} answers 5xx, server peak RSS ${figures.peakRssMiB.toFixed(0)} MiB`));

/** The app of this process on a loopback port, with the author signed in over HTTP. */
async function listeningApp() {
  const test = makeTestApp();
  const server = createServer(test.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const session = await signInOverHttp(`http://127.0.0.1:${port}`, AUTHOR_PASSWORD);
  return { ...test, port, session };
}

const fields = (session: AuthorSession, extra: Record<string, string | Buffer> = {}) => ({
  _csrf: session.csrf,
  title: 'A title',
  content: 'Some content.',
  ...extra,
});

const urlencoded = (values: Record<string, string | Buffer>) =>
  Buffer.concat(
    Object.entries(values).flatMap(([name, value], i) => [
      Buffer.from(`${i ? '&' : ''}${name}=`),
      typeof value === 'string' ? Buffer.from(encodeURIComponent(value)) : value,
    ]),
  );

const parts = (values: Record<string, string | Buffer>): Part[] => Object.entries(values).map(([name, value]) => ({ name, value }));

interface Case {
  name: string;
  request: (session: AuthorSession) => RequestParts;
  /** The statuses that count as a clear answer for this input (0: closed without one, for a client that hung up). */
  expect: number[];
  halfClose?: boolean;
}

const asAuthor = (session: AuthorSession, contentType: string | undefined, body: Buffer, extra: Partial<RequestParts> = {}): RequestParts => ({
  body,
  ...extra,
  headers: { Cookie: session.cookie, ...(contentType ? { 'Content-Type': contentType } : {}), ...extra.headers },
});

const OVERSIZED: Case[] = [
  { name: 'a 10 MB title, url-encoded', request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s, { title: 'T'.repeat(10 * MiB) }))), expect: [413] },
  { name: 'a 9 MB content, url-encoded', request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s, { content: 'c'.repeat(9 * MiB) }))), expect: [413] },
  { name: 'a 10 MB title, multipart', request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s, { title: 'T'.repeat(10 * MiB) })))), expect: [413] },
  { name: 'a 9 MB content, multipart', request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s, { content: 'c'.repeat(9 * MiB) })))), expect: [413] },
  {
    name: 'a 9 MB file',
    request: (s) => asAuthor(s, MULTIPART, multipartBody([...parts(fields(s, { content: '' })), { name: 'file', filename: 'big.md', value: Buffer.alloc(9 * MiB, 97) }])),
    expect: [413],
  },
  {
    name: 'ten fields, each within its limit, 9.8 MB together',
    request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s, Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`extra${i}`, 'x'.repeat(1.4 * MiB)])))))),
    expect: [413],
  },
  {
    name: 'the same 9.8 MB sent in chunks, without a Content-Length',
    request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s, Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`extra${i}`, 'x'.repeat(1.4 * MiB)]))))), { chunkBytes: 64 * 1024 }),
    expect: [413],
  },
  {
    name: 'a 60 kB gzip body that inflates to 50 MB',
    request: (s) => asAuthor(s, URLENCODED, gzipSync(urlencoded(fields(s, { content: 'a'.repeat(50 * MiB) }))), { headers: { 'Content-Encoding': 'gzip' } }),
    expect: [413],
  },
  { name: 'a Content-Length of 10 GB with a short body', request: (s) => asAuthor(s, MULTIPART, Buffer.from('--x'), { contentLength: 10 * 1024 ** 3 }), expect: [413] },
];

const TOO_MANY: Case[] = [
  { name: '11 url-encoded fields', request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, 'x']))))), expect: [413] },
  { name: '10 000 url-encoded fields', request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s, Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, 'x']))))), expect: [413] },
  { name: '12 multipart fields', request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s, Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`f${i}`, 'x'])))))), expect: [413] },
  {
    name: 'two files in the file field',
    request: (s) => asAuthor(s, MULTIPART, multipartBody([...parts(fields(s, { content: '' })), { name: 'file', filename: 'a.md', value: '# a' }, { name: 'file', filename: 'b.md', value: '# b' }])),
    expect: [400, 413],
  },
  {
    name: '50 files in other fields',
    request: (s) => asAuthor(s, MULTIPART, multipartBody([...parts(fields(s)), ...Array.from({ length: 50 }, (_, i) => ({ name: `up${i}`, filename: `${i}.md`, value: '# x' }))])),
    expect: [400, 413],
  },
  {
    name: 'a part with 500 header lines',
    request: (s) => asAuthor(s, MULTIPART, multipartBody([{ name: 'title', value: 'T', headers: Array.from({ length: 500 }, (_, i) => `X-H${i}: v`) }, ...parts(fields(s))])),
    expect: [400, 413],
  },
  { name: 'a field name of 1000 characters', request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s, { ['n'.repeat(1000)]: 'x' })))), expect: [400, 413] },
];

const MALFORMED: Case[] = [
  { name: 'garbage under a multipart type', request: (s) => asAuthor(s, MULTIPART, Buffer.from('this is not multipart at all\r\n\r\n--')), expect: [400] },
  { name: 'a closing boundary that never comes', request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s)), { close: false })), expect: [400] },
  { name: 'a body cut off inside part headers', request: (s) => asAuthor(s, MULTIPART, Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-da`)), expect: [400] },
  { name: 'a body cut off inside a file', request: (s) => asAuthor(s, MULTIPART, multipartBody([...parts(fields(s, { content: '' })), { name: 'file', filename: 'a.md', value: '# a' }]).subarray(0, -30)), expect: [400] },
  { name: 'a boundary other than the one declared', request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s)), { boundary: 'other' })), expect: [400] },
  { name: 'multipart without a boundary', request: (s) => asAuthor(s, 'multipart/form-data', multipartBody(parts(fields(s)))), expect: [400] },
  { name: 'an empty boundary', request: (s) => asAuthor(s, 'multipart/form-data; boundary=""', multipartBody(parts(fields(s)), { boundary: '' })), expect: [303, 400] },
  { name: 'a part without Content-Disposition', request: (s) => asAuthor(s, MULTIPART, Buffer.from(`--${BOUNDARY}\r\nX-Nothing: here\r\n\r\nvalue\r\n--${BOUNDARY}--\r\n`)), expect: [400, 403] },
  {
    name: 'a body that stops short of its Content-Length, then the client hangs up',
    request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s)), { contentLength: 5000 }),
    halfClose: true,
    expect: [0, 400],
  },
  {
    name: 'a multipart body that stops short, then the client hangs up',
    request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s)), { close: false }), { contentLength: 5000 }),
    halfClose: true,
    expect: [0, 400],
  },
  { name: 'a chunk size that is not hexadecimal', request: (s) => ({ ...asAuthor(s, URLENCODED, Buffer.alloc(0)), chunkBytes: 1, body: undefined, headers: { Cookie: s.cookie, 'Content-Type': URLENCODED, 'Transfer-Encoding': 'chunked' } }), expect: [400] },
  { name: 'both Content-Length and Transfer-Encoding (smuggling)', request: (s) => asAuthor(s, URLENCODED, Buffer.from('0\r\n\r\n'), { headers: { 'Transfer-Encoding': 'chunked' } }), expect: [400] },
  { name: 'a Content-Length that is not a number', request: (s) => ({ headers: { Cookie: s.cookie, 'Content-Type': URLENCODED, 'Content-Length': 'ten' }, body: undefined }), expect: [400] },
];

const WRONG_TYPES: Case[] = [
  { name: 'text/plain', request: (s) => asAuthor(s, 'text/plain', urlencoded(fields(s))), expect: [415] },
  { name: 'application/json', request: (s) => asAuthor(s, 'application/json', Buffer.from(JSON.stringify(fields(s)))), expect: [415] },
  { name: 'application/octet-stream', request: (s) => asAuthor(s, 'application/octet-stream', urlencoded(fields(s))), expect: [415] },
  { name: 'multipart/mixed', request: (s) => asAuthor(s, `multipart/mixed; boundary=${BOUNDARY}`, multipartBody(parts(fields(s)))), expect: [415] },
  { name: 'no Content-Type at all', request: (s) => asAuthor(s, undefined, urlencoded(fields(s))), expect: [415] },
  { name: 'a charset Quire cannot read', request: (s) => asAuthor(s, `${URLENCODED}; charset=koi8-r`, urlencoded(fields(s))), expect: [415] },
  { name: 'an unknown Content-Encoding', request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s)), { headers: { 'Content-Encoding': 'x-zip' } }), expect: [415] },
  { name: 'a gzip body under a multipart type', request: (s) => asAuthor(s, MULTIPART, gzipSync(multipartBody(parts(fields(s)))), { headers: { 'Content-Encoding': 'gzip' } }), expect: [400] },
];

// Invalid UTF-8 that a form can carry: replaced (U+FFFD) or kept as the literal %-escape by the
// parsers, or refused. Either way what is stored must be valid text that reads back as stored.
const INVALID_UTF8_BYTES = Buffer.from([0x41, 0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe0, 0xa4]);
const INVALID_UTF8: Case[] = [
  { name: 'raw invalid bytes in a url-encoded title', request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s, { title: INVALID_UTF8_BYTES }))), expect: [303, 400] },
  { name: 'percent-escaped invalid bytes in a url-encoded title', request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s, { title: Buffer.from('B%FF%FE%C0%AF%ED%A0%80') }))), expect: [303, 400] },
  { name: 'a cut-off percent escape in url-encoded content', request: (s) => asAuthor(s, URLENCODED, urlencoded(fields(s, { title: 'Cut escape', content: Buffer.from('x%E0%A4%') }))), expect: [303, 400] },
  { name: 'raw invalid bytes in a multipart title and content', request: (s) => asAuthor(s, MULTIPART, multipartBody(parts(fields(s, { title: Buffer.concat([Buffer.from('M'), INVALID_UTF8_BYTES]), content: INVALID_UTF8_BYTES })))), expect: [303, 400] },
  {
    name: 'an uploaded file that is not UTF-8',
    request: (s) => asAuthor(s, MULTIPART, multipartBody([...parts(fields(s, { content: '' })), { name: 'file', filename: 'latin.md', value: INVALID_UTF8_BYTES }])),
    expect: [400],
  },
  {
    name: 'an uploaded file name that is not UTF-8',
    request: (s) => asAuthor(s, MULTIPART, multipartBody([...parts(fields(s, { title: 'Named badly', content: '' })), { name: 'file', filename: '\xff\xfe.md', value: '# fine' }])),
    expect: [303, 400],
  },
];

const URLS: Case[] = [
  ...['/posts/%FF', '/posts/%C0%AF', '/posts/%ED%A0%80', '/posts/%E0%A4%A', '/?page=%FF', '/posts/%00', '/posts/x%FF.md'].map((target) => ({
    name: `GET ${target}`,
    request: (): RequestParts => ({ method: 'GET', target }),
    expect: [400, 404],
  })),
  { name: 'GET with raw bytes 0xFF 0xFE in the path', request: (): RequestParts => ({ method: 'GET', target: '/posts/\xff\xfe' }), expect: [400, 404] },
  { name: 'GET with a raw NUL in the path', request: (): RequestParts => ({ method: 'GET', target: '/posts/a\u0000b' }), expect: [400, 404] },
];

const GROUPS = { oversized: OVERSIZED, 'too many': TOO_MANY, 'malformed or truncated': MALFORMED, 'wrong content types': WRONG_TYPES, 'invalid UTF-8': INVALID_UTF8, URLs: URLS };

describe.each(Object.entries(GROUPS))('POST /posts and GET with %s input', (_group, cases) => {
  it(`answers each of ${cases.length} with a clear 4xx (or a post that reads back as stored), never a 5xx`, async () => {
    const { port, session, dirs, log } = await listeningApp();
    for (const input of cases) {
      const res = await rawRequest(port, httpRequest(input.request(session)), { halfClose: input.halfClose ?? false });
      figures.inputs++;
      if (res.status >= 500) figures.serverErrors++;
      expect(input.expect, `${input.name} answered ${res.status}:\n${res.text.slice(0, 400)}`).toContain(res.status);
      if (res.status === 303) await readsBack(port, res.text);
    }
    // No 5xx was logged, nothing half-made is in the folder, and the site still answers.
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
    expect(readdirSync(dirs.postsDir).filter((name) => !name.endsWith('.md'))).toEqual([]);
    for (const name of readdirSync(dirs.postsDir)) expect(() => new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path.join(dirs.postsDir, name)))).not.toThrow();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});

/** An accepted post: its page answers 200 and shows the title exactly as the file stores it. */
async function readsBack(port: number, response: string): Promise<void> {
  const location = /^location: (\S+)/im.exec(response)?.[1];
  expect(location).toMatch(/^\/posts\//);
  const page = await fetch(`http://127.0.0.1:${port}${location}`);
  expect(page.status).toBe(200);
  const source = await (await fetch(`http://127.0.0.1:${port}${location}.md`)).text();
  const title = JSON.parse(/^title: (".*")$/m.exec(source)?.[1] ?? '""') as string;
  const html = await page.text();
  expect(html).toContain(escapeHtml(title));
}

describe('the real server, under hostile clients', () => {
  it('answers 431 to a 100 kB header, a 100 kB cookie, a 100 kB URL and 5000 headers', async () => {
    const site = tempSite('quire-limits-');
    const server = await startSite(site);
    const { port } = new URL(server.url);
    const requests = [
      httpRequest({ method: 'GET', target: '/', headers: { 'X-Huge': 'h'.repeat(100 * 1024) } }),
      httpRequest({ method: 'GET', target: '/', headers: { Cookie: `quire_session=${'c'.repeat(100 * 1024)}` } }),
      httpRequest({ method: 'GET', target: `/posts/${'u'.repeat(100 * 1024)}` }),
      httpRequest({ method: 'GET', target: '/', headers: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`X-H${i}`, 'v'])) }),
    ];
    for (const bytes of requests) {
      const res = await rawRequest(Number(port), bytes);
      figures.inputs++;
      expect([414, 431]).toContain(res.status);
    }
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  });

  it('keeps serving others while 50 slow-loris clients dribble headers, then times them out', async () => {
    const SLOW_CLIENTS = 50;
    const site = tempSite('quire-loris-');
    const server = await startSite(site);
    const pid = server.child.pid ?? 0;
    const { port } = new URL(server.url);
    const session = await signInOverHttp(server.url);
    const before = memoryOf(pid).rssMiB;

    const clients = Array.from({ length: SLOW_CLIENTS }, () => slowLoris(Number(port)));
    onTestFinished(() => clients.forEach((client) => client.stop()));
    await eventually('every slow client connected and sending', () => clients.every((client) => client.bytesSent() >= 3), 30_000);
    figures.inputs += SLOW_CLIENTS;

    // Everyone else is served meanwhile: a reader (while every slow client still holds its
    // socket: they have HEADERS_TIMEOUT_MS, 10 s, from connecting), the health check, the author.
    expect((await fetch(`${server.url}/`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    expect(clients.filter((client) => client.closed())).toEqual([]);
    expect((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    const created = await postOverHttp(server.url, session, { title: 'Written during a slow loris', content: 'Still here.' });
    expect(created.status).toBe(303);
    expect(memoryOf(pid).rssMiB - before).toBeLessThan(50);

    // Then the headers timeout ends each slow client: 408, or the socket closed.
    await eventually('the server closed every slow client', () => clients.every((client) => client.closed()), 60_000, 250);
    for (const client of clients) expect(client.response()).toMatch(/^$|^HTTP\/1\.1 408/);
    console.log(`slow loris: RSS ${before.toFixed(0)} MiB before, ${memoryOf(pid).rssMiB.toFixed(0)} MiB after ${SLOW_CLIENTS} slow clients`);
    figures.peakRssMiB = Math.max(figures.peakRssMiB, memoryOf(pid).peakMiB);
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  }, 120_000);

  it('holds memory within bounds while the author sends oversized forms, and gives it back', async () => {
    const ROUNDS = 4;
    const CONCURRENT = 6;
    const site = tempSite('quire-memory-');
    const server = await startSite(site);
    const pid = server.child.pid ?? 0;
    const session = await signInOverHttp(server.url);
    const { port } = new URL(server.url);
    const before = memoryOf(pid).rssMiB;
    const oversized = [
      ...OVERSIZED.filter((input) => input.expect.includes(413)),
      ...TOO_MANY.slice(0, 2),
    ];
    const afterRound: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < oversized.length; i += CONCURRENT) {
        const batch = oversized.slice(i, i + CONCURRENT);
        const answers = await Promise.all(batch.map((input) => rawRequest(Number(port), httpRequest(input.request(session)))));
        figures.inputs += batch.length;
        for (const [k, res] of answers.entries()) expect(batch[k]?.expect, batch[k]?.name).toContain(res.status);
      }
      afterRound.push(memoryOf(pid).rssMiB);
    }
    const { peakMiB } = memoryOf(pid);
    figures.peakRssMiB = Math.max(figures.peakRssMiB, peakMiB);
    console.log(`oversized forms: RSS ${before.toFixed(0)} MiB before, peak ${peakMiB.toFixed(0)} MiB, after each round ${afterRound.map((mib) => mib.toFixed(0)).join(', ')} MiB`);
    // Each refused request costs at most about one request's worth of buffers while in flight
    // (MAX_REQUEST_BYTES, counted several times over as bytes, string and parsed value)...
    expect(peakMiB - before).toBeLessThan(CONCURRENT * 8 * 4 + 100);
    // ...and none of it stays: later rounds do not keep growing (one leaked body per request
    // would add over 100 MiB a round; the margin is for the garbage collector's timing).
    expect((afterRound.at(-1) ?? 0) - (afterRound[0] ?? 0)).toBeLessThan(96);
    expect((await fetch(`${server.url}/`)).status).toBe(200);
  }, 120_000);

  // Defect found here: app.ts parsed url-encoded bodies up to 8 MB for everyone, before anyone
  // was known to be the author; measured, each such visitor request in flight held about 13 MB.
  // Fixed by formBodies() (src/http/form-bodies.ts): 16 kB for visitors. Found later: body-parser
  // still read each refused body to its end before answering 413; RSS grew 35-66 MiB for these
  // 20 visitors (masked until then by a start-up peak). A body whose length is over the limit is
  // now refused unread: 4-7 MiB. Found on Linux 6.18: the connection ended unread was reset,
  // and the reset overtook the answer (every visitor got a reset, no page); the rest of the body
  // is now read and thrown away after the answer, as nginx does: ~34 MiB at the peak, passing.
  it('lets no visitor make the server buffer a post-sized body', async () => {
    const VISITORS = 20;
    const site = tempSite('quire-visitors-');
    const server = await startSite(site);
    const pid = server.child.pid ?? 0;
    const { port } = new URL(server.url);
    const before = memoryOf(pid).rssMiB;
    const body = urlencoded({ password: 'p'.repeat(8 * MiB - 100) });
    const answers = await Promise.all(
      Array.from({ length: VISITORS }, (_, i) =>
        rawRequest(Number(port), httpRequest({ target: i % 2 ? '/login' : '/posts', headers: { 'Content-Type': URLENCODED }, body })),
      ),
    );
    figures.inputs += VISITORS;
    for (const res of answers) expect(res.status).toBe(413);
    expect(memoryOf(pid).peakMiB - before).toBeLessThan(64);
  }, 120_000);

  it('answers a visitor still sending a refused form, then ends the connection if the rest never comes', async () => {
    const server = await startSite(tempSite('quire-lingering-'));
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    onTestFinished(() => {
      socket.destroy();
    });
    let answer = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    // A body of 8 MB announced, 64 kB of it sent, and then nothing more.
    socket.write(`POST /login HTTP/1.1\r\nHost: quire.test\r\nContent-Type: ${URLENCODED}\r\nContent-Length: ${8 * MiB}\r\n\r\n${'p'.repeat(64 * 1024)}`);
    figures.inputs++;

    await eventually('the 413 page', () => answer.includes('</html>'));
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    // Not held for the request timeout (two minutes): ended a few seconds after the answer.
    await eventually('the connection ended', () => closed, 15_000);
  }, 30_000);

  // Found after that fix: a body of unknown length (Transfer-Encoding: chunked) was still read
  // to its end, however long it went on, before the 413. Browsers always send a form's length.
  it('refuses a visitor form of unknown length without waiting for the rest of it', async () => {
    const server = await startSite(tempSite('quire-unknown-length-'));
    const port = Number(new URL(server.url).port);
    const endless = httpRequest({ target: '/login', headers: { 'Content-Type': URLENCODED }, body: urlencoded({ password: 'p'.repeat(64 * 1024) }), chunkBytes: 4096 });
    // Without its last chunk the body never ends: only an answer given unread can arrive.
    const res = await rawRequest(port, endless.subarray(0, -'0\r\n\r\n'.length));
    figures.inputs++;
    expect(res.status).toBe(411);
    expect(res.text).toMatch(/^connection: close/im);
    expect(res.text).toContain('without its length');
  });
});

/** A client that sends a request line, then one header byte a second, and never finishes. */
function slowLoris(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let sent = 0;
  let closed = false;
  let response = '';
  const header = `X-Slow: ${'a'.repeat(1000)}`;
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    timer = setInterval(() => {
      if (!closed) socket.write(header[sent++ % header.length] ?? 'a');
    }, 1_000);
    sent = 1;
  });
  socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    clearInterval(timer);
  });
  return {
    bytesSent: () => sent,
    closed: () => closed,
    response: () => response,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
