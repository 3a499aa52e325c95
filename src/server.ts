import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppDeps } from './app.js';
import { createSessionStore } from './auth/sessions.js';
import { generatePassword } from './auth/password.js';
import { ConfigError, loadConfig } from './config.js';
import { openIndexDatabase } from './db/recover.js';
import { getOrCreateSecret } from './db/settings.js';
import { createLogger } from './http/log.js';
import { loadAssets } from './http/assets.js';
import { startingListener, type StartingProgress } from './http/starting.js';
import { tightenHeapGrowthForServing } from './launch.js';
import { PUBLIC_DIR } from './paths.js';
import { createIndexingPool } from './posts/indexing-pool.js';
import { createPreparingThread } from './posts/preparing-thread.js';
import { createPostStore } from './posts/store.js';

// If in-flight requests have not finished by then, shut down anyway.
const SHUTDOWN_GRACE_MS = 5_000;

// Slow clients (slow loris) must not hold sockets for long: a client gets this long to send its
// headers (a browser sends them at once), and this long for the whole request (an 8 MB post on
// a slow line); then Node answers 408 and closes. Node checks both every interval (its default,
// 30 s, would let a slow client overstay by that much).
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 120_000;
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;
// An idle keep-alive socket is closed after this (Node's default, stated here to be seen).
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

const log = createLogger();
// Set on SIGTERM/SIGINT (step 5).
let stopping = false;

// 1. Configuration: a bad value stops here, naming every bad variable.
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

// 2. The index, migrated (a damaged one is moved aside and rebuilt); the posts folder; the
//    index brought in line with the files.
mkdirSync(config.postsDir, { recursive: true });
const db = openIndexDatabase(config.databasePath, log);
// Large new posts are rendered on a thread of their own, so that readers never wait for one.
const preparingThread = createPreparingThread();
const store = createPostStore({ db, postsDir: config.postsDir, ...(preparingThread ? { prepare: preparingThread.prepare } : {}) });
// The index is brought in line with the files while the server listens. One that has posts is
// served meanwhile: after an upgrade that renders every post again (a migration), readers get
// each page as it was until its new one is written, instead of no answer for as long as a
// rebuild takes (~2 s for 1,000 posts, ~80 s for 100,000); and a restart serves while the
// folder is checked (a stat of every file, ~1.8 s at 100,000 posts, in steps that let requests
// in between). An empty one (a first start, a deleted index) answers 503 with its progress
// until it is built (http/starting.ts): a blog of half its posts would answer 404 for the rest.
// Either way the folder is listed, and a crash's temp files deleted, before the first request:
// the plan does that before its first await.
const firstBuild = store.isEmpty();
// The app's modules (Express, the views, the routes) are loaded before a reconcile that serves
// posts: loaded during it, each of their files waited behind a step, and a restart on 100,000
// posts listened after 1.0 s instead of 0.8. A first build loads them once it is done, and
// answers with http/starting.ts until then: loaded before it, they raised its peak on 100,000
// posts from 184 to 195 MB on Node 24, and on 1,000 posts from 135-137 to 145-147 MB on Node 20.
const loadApp = () => import('./app.js');
const appModule = firstBuild ? undefined : await loadApp();
const assets = loadAssets(PUBLIC_DIR);
// Rendering is the cost of a rebuild: spread over the cores for a first build, which serves only
// its progress. While the server serves posts, one thread renders, and readers keep a core: a
// re-render of 100,000 posts under reads peaked at 214-217 MB with two threads (80 s), 192 MB
// with one (131 s), on Node 20.
const indexingPool = createIndexingPool(config.databasePath, firstBuild ? {} : { threads: 1 });
const { postsDir } = config;
let building: StartingProgress = { done: 0, total: 0 };
const reconciled = store.reindexWith(indexingPool, firstBuild ? { onProgress: (progress) => (building = progress) } : {}).then(async (report) => {
  await indexingPool?.close();
  // The site, from now on (before the line that says the index is ready).
  if (firstBuild) server.removeAllListeners('request').on('request', (await loadApp()).createApp(appDeps));
  log.info({ event: 'reconciled', postsDir, ...report });
  tightenHeapGrowthForServing();
});
// Stopping closes the pool, which cuts a reconcile short: it fails then, and the next start
// goes on from the rows it wrote. Any other failure ends the process, as at any start-up.
reconciled.catch((error: unknown) => {
  if (!stopping) throw error;
});

// 3. The author's password: chosen, or generated and shown once (never written anywhere).
let authorPassword = config.authorPassword;
if (!authorPassword) {
  authorPassword = generatePassword();
  process.stdout.write(`\n  No AUTHOR_PASSWORD set. Sign in at /login with this password (shown once):\n\n    ${authorPassword}\n\n`);
}

// 4. The app, listening; a first build's progress until the index is built.
const appDeps: AppDeps = {
  config,
  store,
  sessions: createSessionStore(db),
  csrfKey: getOrCreateSecret(db, 'csrf_key'),
  authorPassword,
  assets,
  log,
};
const site = { title: config.siteTitle, url: config.siteUrl };
const server = createServer(
  {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  },
  appModule ? appModule.createApp(appDeps) : startingListener({ progress: () => building, site, assets, https: config.secureCookies }),
).listen(config.port, config.host, () => {
  const { address, port } = server.address() as AddressInfo;
  log.info({ event: 'listening', url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, site: config.siteUrl });
});
server.on('error', (error) => {
  process.stderr.write(`Could not listen on ${config.host}:${config.port}: ${error.message}\n`);
  db.close();
  process.exit(1);
});

// 5. On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database.
function shutDown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ event: 'stopping', signal });
  const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  server.close(async () => {
    clearTimeout(force);
    // A reconcile still running stops here, once each thread has written the files in hand;
    // the next start goes on from the rows written (a file's row is recognised by its stat).
    await indexingPool?.close();
    await preparingThread?.close();
    db.close();
    log.info({ event: 'stopped' });
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => shutDown('SIGTERM'));
process.on('SIGINT', () => shutDown('SIGINT'));
