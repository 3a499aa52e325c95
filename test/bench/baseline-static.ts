import http, { type OutgoingHttpHeader } from 'node:http';
import { readFileSync } from 'node:fs';
import { listenAndAnnounce } from './baseline-listen.js';
import { fixtureKey, type Fixture } from './fixtures.js';

/**
 * Baseline for reads: Node's bare `http` module answering from memory with the exact bytes Quire
 * sent for the same request (status, headers, body, compressed as Quire compressed it). Nothing
 * between the socket and the answer but one Map lookup: the ceiling for a Node server.
 */
interface Answer {
  status: number;
  headers: OutgoingHttpHeader[];
  body: Buffer;
}

const fixturesFile = process.env.FIXTURES_FILE;
if (!fixturesFile) throw new Error('FIXTURES_FILE is not set');
const fixtures = JSON.parse(readFileSync(fixturesFile, 'utf8')) as Fixture[];
const answers = new Map<string, Answer>(
  fixtures.map((fixture) => [
    fixtureKey(fixture.path, fixture.ifNoneMatch),
    // Pairs, not an object: repeated headers (Set-Cookie) stay repeated, in Quire's order.
    { status: fixture.status, headers: fixture.headers, body: Buffer.from(fixture.bodyBase64, 'base64') },
  ]),
);

// A link's query is ignored, as Quire's pages ignore the parameters they do not read.
const pathOf = (url: string) => {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
};

const server = http.createServer((req, res) => {
  const answer = answers.get(fixtureKey(pathOf(req.url ?? ''), req.headers['if-none-match']));
  if (!answer) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(answer.status, answer.headers).end(answer.body);
});
listenAndAnnounce(server);
