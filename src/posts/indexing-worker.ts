import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open.js';
import { createPostIndex } from './index-db.js';
import type { PlannedFile } from './reconcile-plan.js';
import { indexFiles } from './reconcile.js';

/** An indexing-pool thread: renders batches of post files and writes their rows itself. */
const db = openDatabase((workerData as { databasePath: string }).databasePath);
const index = createPostIndex(db);
parentPort?.on('message', (files: PlannedFile[]) => parentPort?.postMessage(indexFiles({ db, index }, files)));
