import http from 'node:http';
import { READS_FOR_BEST_COMPRESSION } from '../../src/http/page-cache.js';

/**
 * HTTP as it travels on the wire: the body exactly as sent (still compressed if it was) and the
 * headers in their order and spelling. `fetch` would decompress bodies, and the bench needs the
 * transferred bytes, both to measure page weight and to have the baselines send the same bytes.
 */
export interface RawResponse {
  status: number;
  /** Name/value pairs as received. */
  rawHeaders: [string, string][];
  body: Buffer;
  header(name: string): string | undefined;
}

export function rawRequest(
  url: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const rawHeaders: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) rawHeaders.push([res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '']);
        const header = (name: string) => rawHeaders.find(([key]) => key.toLowerCase() === name)?.[1];
        resolve({ status: res.statusCode ?? 0, rawHeaders, body: Buffer.concat(chunks), header });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Quire compresses a page fast for its first readers and better, in the background, once it
// is read often: the bytes a page settles on are what its readers get under load.
const SETTLE_PAUSE_MS = 100;
const MAX_SETTLE_READS = 20;

/** GETs `url` as often readers would, then until the same bytes come back twice in a row. */
export async function settledRequest(url: string, headers: Record<string, string>): Promise<RawResponse> {
  for (let read = 1; read < READS_FOR_BEST_COMPRESSION; read++) await rawRequest(url, { headers });
  let previous = await rawRequest(url, { headers });
  for (let read = 0; read < MAX_SETTLE_READS; read++) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_PAUSE_MS));
    const response = await rawRequest(url, { headers });
    if (response.body.equals(previous.body)) return response;
    previous = response;
  }
  return previous;
}

/** The `name=value` parts of every Set-Cookie header, joined for a Cookie header. */
export function cookiesOf(response: RawResponse): string {
  return response.rawHeaders
    .filter(([key]) => key.toLowerCase() === 'set-cookie')
    .map(([, value]) => value.split(';')[0] ?? '')
    .filter((pair) => !pair.endsWith('=')) // a cleared cookie
    .join('; ');
}

const CSRF_FIELD = /name="_csrf" value="([^"]+)"/;

/**
 * Signs in over real HTTP, as a browser does: the sign-in form (visitor cookie + token), the
 * password, then the index page for the token of the author's forms.
 */
export async function signIn(baseUrl: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const form = await rawRequest(`${baseUrl}/login`);
  const visitor = cookiesOf(form);
  const loginToken = CSRF_FIELD.exec(form.body.toString())?.[1] ?? '';
  const signedIn = await rawRequest(`${baseUrl}/login`, {
    method: 'POST',
    headers: { cookie: visitor, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password, _csrf: loginToken }).toString(),
  });
  const cookie = cookiesOf(signedIn);
  if (signedIn.status !== 303 || cookie === '') throw new Error(`sign-in failed: ${signedIn.status}`);
  const index = await rawRequest(`${baseUrl}/`, { headers: { cookie } });
  const csrf = CSRF_FIELD.exec(index.body.toString())?.[1];
  if (!csrf) throw new Error('signed in, but the index page has no CSRF token for the post form');
  return { cookie, csrf };
}
