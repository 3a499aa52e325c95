import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { PlannedFile } from './reconcile-plan.js';
import type { FileIndexer, IndexedFiles } from './reconcile.js';

// Small batches keep every thread busy to the end; large ones save messages and transactions.
const FILES_PER_BATCH = 32;

/**
 * Each thread's heap is capped. Left to itself, V8 let each thread's heap grow to 100-150 MB
 * between collections while ~25 MB of it was live, and a rebuild of 100,000 posts peaked at
 * 419 MB, twice the server's budget.
 * The old generation is what a thread keeps resident on Node 24: its V8 pools the pages a
 * collection frees until a memory-reducing one, which a busy thread never has, so each thread
 * holds its heap's high-water mark. A young generation big enough for a render's short-lived
 * objects keeps them from being promoted, and the old one fits in 48 MB: a rebuild of 100,000
 * posts peaked 20 MB lower there (same speed; no change on Node 20), and a 1 MiB post of
 * code, tables and prose (the form's limit) still renders here (it needs 44-48 MB).
 */
const THREAD_HEAP: ResourceLimits = { maxYoungGenerationSizeMb: 24, maxOldGenerationSizeMb: 48 };

/**
 * For the rare post that does not fit: a hand-written file of megabytes of table cells or
 * emphasis takes 300 MB to 1 GB to render. Such a post is rendered alone, one at a time, within
 * this; one that needs more is skipped (its last good row stays) rather than taking the machine.
 */
const LARGE_POST_HEAP: ResourceLimits = { maxOldGenerationSizeMb: 1024 };

const outOfMemory = (error: Error & { code?: string }) => error.code === 'ERR_WORKER_OUT_OF_MEMORY';

/** The defaults suit a server; tests shrink the heaps to reach their limits with small posts. */
export interface PoolOptions {
  threads?: number;
  threadHeap?: ResourceLimits;
  largePostHeap?: ResourceLimits;
}

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
export function createIndexingPool(
  databasePath: string,
  { threads = availableParallelism(), threadHeap = THREAD_HEAP, largePostHeap = LARGE_POST_HEAP }: PoolOptions = {},
): IndexingPool | undefined {
  const script = new URL('./indexing-worker.js', import.meta.url);
  if (!existsSync(script)) return undefined;
  const startWorker = (resourceLimits: ResourceLimits) => new Worker(script, { workerData: { databasePath }, resourceLimits });
  const workers: Worker[] = [];

  async function index(files: PlannedFile[]): Promise<IndexedFiles> {
    while (workers.length < threads) workers.push(startWorker(threadHeap));
    const queue: PlannedFile[][] = [];
    for (let start = 0; start < files.length; start += FILES_PER_BATCH) queue.push(files.slice(start, start + FILES_PER_BATCH));
    const done: IndexedFiles = { added: 0, updated: 0, skipped: [] };
    const count = (batch: IndexedFiles) => {
      done.added += batch.added;
      done.updated += batch.updated;
      done.skipped.push(...batch.skipped);
    };

    // Each thread takes the next batch when it has written its last one. A batch writes its
    // rows only once all are rendered, so one that ran its thread out of memory wrote nothing:
    // its largest file is rendered alone, and the rest go back in the queue.
    const serve = (slot: number): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const worker = workers[slot] as Worker;
        let batch: PlannedFile[] = [];
        const sendNext = () => {
          const next = queue.shift();
          if (!next) return resolve();
          worker.postMessage((batch = next));
        };
        worker.on('message', (indexed: IndexedFiles) => {
          count(indexed);
          batch = [];
          sendNext();
        });
        worker.once('error', (error: Error) => {
          const [largest, ...rest] = [...batch].sort((a, b) => b.stat.size - a.stat.size);
          // Any other failure, or one with no batch in hand (a thread too small to start), ends the reindex.
          if (!outOfMemory(error) || !largest) return reject(error);
          workers[slot] = startWorker(threadHeap);
          if (rest.length > 0) queue.push(rest);
          indexLargePost(largest)
            .then(count)
            .then(() => serve(slot))
            .then(resolve, reject);
        });
        sendNext();
      }).finally(() => workers[slot]?.removeAllListeners('message').removeAllListeners('error'));
    await Promise.all(workers.map((_, slot) => serve(slot)));
    return done;
  }

  // Large posts are rendered one at a time: each may take a gigabyte.
  let largePostTurn: Promise<unknown> = Promise.resolve();
  function indexLargePost(file: PlannedFile): Promise<IndexedFiles> {
    const turn = largePostTurn.then(() => indexAlone(file));
    largePostTurn = turn.catch(() => undefined);
    return turn;
  }

  async function indexAlone(file: PlannedFile): Promise<IndexedFiles> {
    const worker = startWorker(largePostHeap);
    try {
      return await new Promise<IndexedFiles>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', (error: Error) => {
          if (!outOfMemory(error)) return reject(error);
          const reason = `needs more than ${largePostHeap.maxOldGenerationSizeMb} MB of memory to render`;
          resolve({ added: 0, updated: 0, skipped: [{ file: file.job.fileName, reason }] });
        });
        worker.postMessage([file]);
      });
    } finally {
      await worker.terminate();
    }
  }

  return {
    index,
    async close() {
      await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
    },
  };
}
