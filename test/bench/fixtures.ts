import { rawRequest, settledRequest, type RawResponse } from './http-raw.js';

/**
 * One response of Quire's, recorded so that the read baseline can send the same bytes for the
 * same request. Keyed by path and If-None-Match, which is all that tells the measured requests apart.
 */
export interface Fixture {
  path: string;
  ifNoneMatch: string | null;
  status: number;
  headers: [string, string][];
  bodyBase64: string;
}

export const fixtureKey = (path: string, ifNoneMatch: string | string[] | null | undefined) =>
  `${path}\n${typeof ifNoneMatch === 'string' ? ifNoneMatch : ''}`;

// The baseline's own http module writes these for each response and connection.
const WRITTEN_BY_NODE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);
const BODYLESS_STATUSES = new Set([204, 304]);

/** Asks Quire for `path` with `headers`, and returns its answer along with the fixture made of it. */
export async function recordFixture(baseUrl: string, path: string, headers: Record<string, string>): Promise<{ fixture: Fixture; response: RawResponse }> {
  const response = await settledRequest(`${baseUrl}${path}`, headers);
  const kept = response.rawHeaders.filter(([name]) => !WRITTEN_BY_NODE.has(name.toLowerCase()));
  // A chunked answer has no length; the baseline sends the same body in one piece, with one.
  if (!response.header('content-length') && !BODYLESS_STATUSES.has(response.status)) {
    kept.push(['Content-Length', String(response.body.length)]);
  }
  const fixture: Fixture = {
    path,
    ifNoneMatch: headers['if-none-match'] ?? null,
    status: response.status,
    headers: kept,
    bodyBase64: response.body.toString('base64'),
  };
  return { fixture, response };
}

export interface Recorded {
  fixture: Fixture;
  response: RawResponse;
}

/** Quire's answers to every read the bench measures, as a browser asks for them. */
export interface ReadFixtures {
  index: Recorded;
  post: Recorded;
  source: Recorded;
  /** The post again, with If-None-Match: its ETag; undefined when Quire sent none. */
  conditional: Recorded | undefined;
  all: Fixture[];
}

export async function recordReads(baseUrl: string, postPath: string, headers: Record<string, string>): Promise<ReadFixtures> {
  const index = await recordFixture(baseUrl, '/', headers);
  const post = await recordFixture(baseUrl, postPath, headers);
  const source = await recordFixture(baseUrl, `${postPath}.md`, headers);
  // A read that fails is a broken run, not a slow one: stop rather than measure error pages.
  for (const { response, fixture } of [index, post, source]) {
    if (response.status !== 200) throw new Error(`GET ${fixture.path} answered ${response.status}, not 200`);
  }
  const etag = post.response.header('etag');
  const conditional = etag ? await recordFixture(baseUrl, postPath, { ...headers, 'if-none-match': etag }) : undefined;
  const all = [index, post, source, ...(conditional ? [conditional] : [])].map(({ fixture }) => fixture);
  return { index, post, source, conditional, all };
}
