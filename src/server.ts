import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { createSessionStore } from './auth/sessions.js';
import { generatePassword } from './auth/password.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { getOrCreateSecret } from './db/settings.js';
import { loadAssets } from './http/assets.js';
import { createLogger } from './http/log.js';
import { PUBLIC_DIR } from './paths.js';
import { createPostStore } from './posts/store.js';

// If in-flight requests have not finished by then, shut down anyway.
const SHUTDOWN_GRACE_MS = 5_000;

const log = createLogger();

// 1. Configuration: a bad value stops here, naming every bad variable.
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

// 2. The index, migrated; the posts folder; the index brought in line with the files.
mkdirSync(config.postsDir, { recursive: true });
const db = openDatabase(config.databasePath);
const store = createPostStore({ db, postsDir: config.postsDir });
const report = store.reindex();
log.info({ event: 'reconciled', postsDir: config.postsDir, ...report });

// 3. The author's password: chosen, or generated and shown once (never written anywhere).
let authorPassword = config.authorPassword;
if (!authorPassword) {
  authorPassword = generatePassword();
  process.stdout.write(`\n  No AUTHOR_PASSWORD set. Sign in at /login with this password (shown once):\n\n    ${authorPassword}\n\n`);
}

// 4. The app, listening.
const app = createApp({
  config,
  store,
  sessions: createSessionStore(db),
  csrfKey: getOrCreateSecret(db, 'csrf_key'),
  authorPassword,
  assets: loadAssets(PUBLIC_DIR),
  log,
});
const server = createServer(app).listen(config.port, config.host, () => {
  const { address, port } = server.address() as AddressInfo;
  log.info({ event: 'listening', url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, site: config.siteUrl });
});
server.on('error', (error) => {
  process.stderr.write(`Could not listen on ${config.host}:${config.port}: ${error.message}\n`);
  db.close();
  process.exit(1);
});

// 5. On SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database.
let stopping = false;
function shutDown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ event: 'stopping', signal });
  const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  server.close(() => {
    clearTimeout(force);
    db.close();
    log.info({ event: 'stopped' });
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => shutDown('SIGTERM'));
process.on('SIGINT', () => shutDown('SIGINT'));
