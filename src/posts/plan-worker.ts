import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createPostIndex } from './index-db.js';
import { planReconcile } from './reconcile.js';

/** Plans a reconcile on its own read-only connection and sends the plan back (see plan-in-worker.ts). */
const { databasePath, postsDir } = workerData as { databasePath: string; postsDir: string };
const db = new Database(databasePath, { readonly: true, fileMustExist: true });
try {
  parentPort?.postMessage(planReconcile(createPostIndex(db), postsDir));
} finally {
  db.close();
}
