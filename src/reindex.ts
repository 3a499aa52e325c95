import { mkdirSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.js';
import { openIndexDatabase } from './db/recover.js';
import { createLogger } from './http/log.js';
import { createIndexingPool } from './posts/indexing-pool.js';
import { createPostStore } from './posts/store.js';

/** `npm run reindex`: brings the index in line with POSTS_DIR and reports what changed. */
try {
  const config = loadConfig(process.env);
  mkdirSync(config.postsDir, { recursive: true });
  const db = openIndexDatabase(config.databasePath, createLogger());
  const pool = createIndexingPool(config.databasePath);
  const started = performance.now();
  // The server may be running, and writing a post this very moment. Files skipped before are
  // tried again: this is how the author asks for that.
  const report = await createPostStore({ db, postsDir: config.postsDir }).reindexWith(pool, { writesMayBeInFlight: true, retrySkipped: true });
  const seconds = (performance.now() - started) / 1000;
  await pool?.close();
  db.close();
  console.log(`Reindexed ${config.postsDir} in ${seconds.toFixed(2)} s: ${report.added} added, ${report.updated} updated, ${report.removed} removed, ${report.unchanged} unchanged.`);
  for (const { file, reason } of report.skipped) console.log(`  skipped ${file}: ${reason}`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
