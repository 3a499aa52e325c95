import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LAUNCH_ENV, NODE_FLAGS, REINDEX_ENTRY, SERVER_ENTRY } from '../../src/launch.js';
import { memoryOf, runToEnd, startListening, stop, waitForLogLine, type Listening } from './processes.js';

/**
 * Quire as people run it: the compiled server (`npm run build`) with the flags and environment
 * of `npm start`, in production mode, with its posts and index in the bench's temp folder.
 */
export const AUTHOR_PASSWORD = 'a long enough bench password';

// Start-up rebuilds the index from every file when it is empty: allow for a slow machine.
const START_TIMEOUT_MS = 60_000;
const START_TIMEOUT_PER_POST_MS = 20;

export function checkBuilt(): void {
  for (const entry of [SERVER_ENTRY, REINDEX_ENTRY]) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm run bench does)`);
  }
}

function quireEnv(postsDir: string, databasePath: string): Record<string, string> {
  return {
    ...LAUNCH_ENV,
    // EJS recompiles templates on every request outside production (issue 5 measured 2.3× slower).
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    POSTS_DIR: postsDir,
    DATABASE_PATH: databasePath,
    AUTHOR_PASSWORD,
  };
}

function startQuire(postsDir: string, databasePath: string, logFile: string, posts: number): Promise<Listening> {
  return startListening(SERVER_ENTRY, quireEnv(postsDir, databasePath), logFile, startTimeoutMs(posts), NODE_FLAGS);
}

const startTimeoutMs = (posts: number) => START_TIMEOUT_MS + posts * START_TIMEOUT_PER_POST_MS;

/**
 * A start of the server: it listens at once, and brings the index in line with the folder
 * meanwhile (serving the posts it has, or, building an empty index, its progress).
 */
export interface ServingStart {
  server: Listening;
  /** From spawn to the "listening" line. */
  listeningMs: number;
  /** From spawn to the "reconciled" line: every file checked, and rendered if it is new or changed. */
  reconciledMs: number;
}

/** Starts Quire and waits until it serves and its index is in line with the folder. */
export async function startAndReconcile(postsDir: string, databasePath: string, logFile: string, posts: number): Promise<ServingStart> {
  const started = performance.now();
  const server = await startQuire(postsDir, databasePath, logFile, posts);
  await waitForLogLine(server, /"event":"reconciled"/, started + startTimeoutMs(posts));
  return { server, listeningMs: server.startupMs, reconciledMs: performance.now() - started };
}

// Every row as an older renderer left it (a lower RENDERING_VERSION): what a release that
// changes what the index derives from the files finds.
const MADE_BY_AN_OLDER_RENDERER = 'UPDATE posts SET rendering_version = 0';

/** Its times: the server answers from the old rows until "reconciled", every post rendered again. */
export interface UpgradeStart extends Omit<ServingStart, 'server'> {
  peakBytes: number | undefined;
}

/**
 * The first start after an upgrade that renders every post again: the rows of the index at
 * `databasePath` (stopped, up to date) are marked as an older renderer's, then the server is
 * started, and stopped once every post is rendered again.
 */
export async function startAfterUpgrade(postsDir: string, databasePath: string, logFile: string, posts: number): Promise<UpgradeStart> {
  const index = new Database(databasePath);
  index.exec(MADE_BY_AN_OLDER_RENDERER);
  index.close();
  const { server, listeningMs, reconciledMs } = await startAndReconcile(postsDir, databasePath, logFile, posts);
  const peakBytes = memoryOf(server.pid)?.peakBytes;
  await stop(server);
  return { listeningMs, reconciledMs, peakBytes };
}

/**
 * `node dist/src/reindex.js` on `postsDir` with an empty index: the whole run, process start
 * included. The count comes from its report ("N added"), or is the number of files written.
 */
export async function timeReindex(postsDir: string, databasePath: string, logFile: string, filesWritten: number): Promise<{ ms: number; added: number }> {
  const { ms, output } = await runToEnd(REINDEX_ENTRY, quireEnv(postsDir, databasePath), logFile, NODE_FLAGS);
  const added = Number(/(\d+) added/.exec(output)?.[1] ?? filesWritten);
  return { ms, added };
}
