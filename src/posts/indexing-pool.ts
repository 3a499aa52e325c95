import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileIndexer, IndexedFiles, PlannedFile } from './reconcile.js';

// Small batches keep every thread busy to the end; large ones save messages and transactions.
const FILES_PER_BATCH = 32;

export interface IndexingPool extends FileIndexer {
  close(): Promise<void>;
}

/**
 * Rendering is the cost of a full reindex (about a millisecond a post), so it is spread over
 * one worker thread per core, and each thread writes the rows it renders through a connection
 * of its own. The pages never travel back to this thread: when they did, a rebuild of 100,000
 * posts held 250-400 MB of them here, waiting for the garbage collector.
 * Undefined where there is no compiled worker (under the TypeScript test runner).
 */
export function createIndexingPool(databasePath: string, threads = availableParallelism()): IndexingPool | undefined {
  const script = new URL('./indexing-worker.js', import.meta.url);
  if (!existsSync(script)) return undefined;
  const workers: Worker[] = [];

  async function index(files: PlannedFile[]): Promise<IndexedFiles> {
    while (workers.length < threads) workers.push(new Worker(script, { workerData: { databasePath } }));
    const done: IndexedFiles = { added: 0, updated: 0, skipped: [] };
    let next = 0;
    // Each thread takes the next batch when it has written its last one.
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const sendNext = () => {
              if (next >= files.length) return resolve();
              worker.postMessage(files.slice(next, next + FILES_PER_BATCH));
              next += FILES_PER_BATCH;
            };
            worker.on('message', (batch: IndexedFiles) => {
              done.added += batch.added;
              done.updated += batch.updated;
              done.skipped.push(...batch.skipped);
              sendNext();
            });
            worker.once('error', reject);
            sendNext();
          }).finally(() => worker.removeAllListeners('message').removeAllListeners('error')),
      ),
    );
    return done;
  }

  return {
    index,
    async close() {
      await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
    },
  };
}
