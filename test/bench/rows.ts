import { createdPostBody } from './corpus.js';
import type { Fixture, ReadFixtures } from './fixtures.js';
import type { Load } from './measure.js';
import type { BenchOptions } from './options.js';
import { CREATE_LATENCY_TARGET, CREATE_THROUGHPUT_TARGET, READ_TARGET, type RowTarget } from './targets.js';

/** The rows of the table: what is asked of Quire, and the same asked of its baseline. */
export interface RowPlan {
  name: string;
  target: RowTarget;
  expectStatus: number;
  /** Why this build cannot be measured on this row ("no ETag"); the row then reads n/a. */
  unavailable?: string;
  quire: Load;
  baseline: Load;
  /** A load run at the same time as each server's, and not itself measured (the author publishing). */
  beside?: { quire: Load; baseline: Load };
}

/** Where each server listens, and its process id (for its CPU time). */
export interface Endpoint {
  url: string;
  pid: number;
}

export interface Endpoints {
  quire: Endpoint;
  readBaseline: Endpoint;
  formBaseline: Endpoint;
}

/** What a browser sends; Quire may then answer compressed, and the baseline sends the same bytes. */
export const BROWSER_ENCODINGS = { 'accept-encoding': 'br, gzip' };

// Each create fsyncs a file: a short run at a few connections says enough and keeps the disk sane.
const CREATE_DURATION_SECONDS = 3;
const CONCURRENT_CREATE_CONNECTIONS = 8;
const CREATE_TAGS = 'bench, load';
// Shared by every create row, Quire's and the baseline's, so that no title is ever sent twice.
let postsCreated = 0;

function readPlan(
  { name, path, nextPath, headers, expectStatus }: { name: string; path: string; nextPath?: () => string; headers: Record<string, string>; expectStatus: number },
  endpoints: Endpoints,
  options: BenchOptions,
): RowPlan {
  const load = (server: Endpoint): Load => ({
    url: `${server.url}${path}`,
    nextPath,
    serverPid: server.pid,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    headers,
    expectStatus,
  });
  return { name, target: READ_TARGET, expectStatus, quire: load(endpoints.quire), baseline: load(endpoints.readBaseline) };
}

/** "[br 2.7 KB]": what actually travels for this row. */
function sizeOf(fixture: Fixture): string {
  const encoding = fixture.headers.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1] ?? 'identity';
  return `[${encoding} ${(Buffer.from(fixture.bodyBase64, 'base64').length / 1024).toFixed(1)} KB]`;
}

/**
 * Anonymous reads of the index, the typical post and its source, the post's 304, and the post
 * as reached from a shared link: social sites add a parameter of their own to a link, often
 * with a new value on every click (`fbclid`), which a cache keyed on the whole URL never hits.
 */
export function readPlans(reads: ReadFixtures, endpoints: Endpoints, options: BenchOptions): RowPlan[] {
  const row = (name: string, { fixture }: { fixture: Fixture }) =>
    readPlan({ name: `${name}  ${sizeOf(fixture)}`, path: fixture.path, headers: BROWSER_ENCODINGS, expectStatus: 200 }, endpoints, options);
  const notModified = readPlan(
    {
      name: 'GET /posts/:slug, If-None-Match (304)',
      path: reads.post.fixture.path,
      headers: { ...BROWSER_ENCODINGS, 'if-none-match': reads.conditional?.fixture.ifNoneMatch ?? '' },
      expectStatus: 304,
    },
    endpoints,
    options,
  );
  let clicks = 0;
  const sharedLink = readPlan(
    {
      name: `GET /posts/:slug?fbclid=<new each time>  ${sizeOf(reads.post.fixture)}`,
      path: reads.post.fixture.path,
      nextPath: () => `${reads.post.fixture.path}?fbclid=IwAR${++clicks}&utm_source=bench`,
      headers: BROWSER_ENCODINGS,
      expectStatus: 200,
    },
    endpoints,
    options,
  );
  return [
    row('GET /', reads.index),
    row('GET /posts/:slug', reads.post),
    sharedLink,
    row('GET /posts/:slug.md', reads.source),
    reads.conditional ? notModified : { ...notModified, unavailable: 'no ETag' },
  ];
}

/**
 * Signed-in creates of a typical 4 KB post, at 8 connections (throughput against the baseline)
 * or one at a time (the author's latency); see targets.ts for why the two are judged apart.
 * Each request gets the next number in its title; the rest of the form is encoded once. Quire
 * and its baseline receive the same bytes, cookie and CSRF token included (the baseline ignores them).
 */
export function createPlan(
  mode: 'concurrent' | 'one at a time',
  session: { cookie: string; csrf: string },
  endpoints: Endpoints,
  options: BenchOptions,
): RowPlan {
  const rest = new URLSearchParams({ content: createdPostBody(), tags: CREATE_TAGS, _csrf: session.csrf }).toString();
  const nextBody = () => `${new URLSearchParams({ title: `Bench post ${++postsCreated}` }).toString()}&${rest}`;
  const connections = mode === 'concurrent' ? Math.min(CONCURRENT_CREATE_CONNECTIONS, options.connections) : 1;
  const load = (server: Endpoint): Load => ({
    url: `${server.url}/posts`,
    serverPid: server.pid,
    method: 'POST',
    connections,
    durationSeconds: Math.min(CREATE_DURATION_SECONDS, options.durationSeconds),
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', ...BROWSER_ENCODINGS },
    expectStatus: 303,
    nextBody,
  });
  return {
    name: `POST /posts (4 KB), ${connections} connection${connections === 1 ? '' : 's'}`,
    target: mode === 'concurrent' ? CREATE_THROUGHPUT_TARGET : CREATE_LATENCY_TARGET,
    expectStatus: 303,
    quire: load(endpoints.quire),
    baseline: load(endpoints.formBaseline),
  };
}

/** The typical post read by browsers, in a row where something else happens beside. */
function typicalPostRead(beside: string, reads: ReadFixtures, endpoints: Endpoints, options: BenchOptions): RowPlan {
  const { fixture } = reads.post;
  return readPlan({ name: `GET /posts/:slug, ${beside}  ${sizeOf(fixture)}`, path: fixture.path, headers: BROWSER_ENCODINGS, expectStatus: 200 }, endpoints, options);
}

/**
 * The typical post read while a crawler goes through every published post, one page after
 * another: each page it reads is rendered and compressed, kept, and pushed out again (a blog
 * larger than the page cache, read in order, never hits it). The baseline's crawler goes
 * through the pages the baseline serves, from memory: the ceiling.
 */
export function readBesideCrawlerPlan(reads: ReadFixtures, publishedSlugs: string[], endpoints: Endpoints, options: BenchOptions): RowPlan {
  const reading = typicalPostRead('crawler reading every post', reads, endpoints, options);
  const crawler = (server: Endpoint, paths: string[]): Load => {
    let next = 0;
    return {
      url: `${server.url}${paths[0]}`,
      nextPath: () => paths[next++ % paths.length] ?? '/',
      connections: 1,
      durationSeconds: options.durationSeconds,
      headers: BROWSER_ENCODINGS,
      expectStatus: 200,
    };
  };
  const postPaths = publishedSlugs.map((slug) => `/posts/${encodeURIComponent(slug)}`);
  return { ...reading, beside: { quire: crawler(endpoints.quire, postPaths), baseline: crawler(endpoints.readBaseline, [reads.index.fixture.path, reads.source.fixture.path]) } };
}

/**
 * The typical post read while the author publishes typical posts one after another, over one
 * connection; the baseline serves the same bytes while its form server writes the same posts.
 * A new post must hold up the readers of the other posts no more than the baseline's writes
 * hold up its reads, nor make the other posts' pages be rendered again.
 */
export function readWhilePublishingPlan(
  reads: ReadFixtures,
  session: { cookie: string; csrf: string },
  endpoints: Endpoints,
  options: BenchOptions,
): RowPlan {
  const reading = typicalPostRead('author publishing', reads, endpoints, options);
  const publishing = createPlan('one at a time', session, endpoints, options);
  const { serverPid: _quire, ...quire } = publishing.quire;
  const { serverPid: _baseline, ...baseline } = publishing.baseline;
  return { ...reading, beside: { quire, baseline } };
}
