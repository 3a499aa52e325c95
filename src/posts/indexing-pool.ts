import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { YOUNG_GENERATION_MB } from '../launch.js';
import { inBatches } from './batches.js';
import type { IndexedFiles, PlannedFile } from './reconcile-plan.js';
import { addIndexed, type FileIndexer } from './reconcile.js';

// Small batches keep every thread busy to the end; large ones save messages and transactions.
const FILES_PER_BATCH = 32;

/**
 * A thread holds a batch's pages until it writes them, within its heap (THREAD_HEAP), so a
 * batch is bounded by its Markdown's size too. Bounded by count alone, 32 posts of ~190 KB
 * (~6 MB of Markdown, ~30 MB of pages and text) ran a thread out of memory, and the retry
 * (the largest alone, the rest again) did so again for each: a first start on 1,000 posts and
 * 264 of those took 228 s and peaked at 218 MB on Node 20; with this bound, 12 s and 148 MB.
 * A typical batch (32 posts of ~8 KB) stays under it.
 */
const BATCH_BYTES = 512 * 1024;

/**
 * Each thread's heap is capped. Left to itself, V8 let each thread's heap grow to 100-150 MB
 * between collections while ~25 MB of it was live, and a rebuild of 100,000 posts peaked at
 * 419 MB, twice the server's budget.
 * The old generation is what a thread keeps resident on Node 24: its V8 pools the pages a
 * collection frees until a memory-reducing one, which a busy thread never has, so each thread
 * holds its heap's high-water mark. It is sized for the posts a blog is made of; larger files
 * go to the large-post lane (LARGE_POST_BYTES). A 512 KB post of code, tables and prose
 * renders in 32 MB on Node 20 and 24; a 1 MiB one (the form's limit) needs 44-48 MB, which
 * every thread had before: a first start on 100,000 posts peaked at 188-189 MB on Node 24
 * instead of 206-215 MB (same speed), and 161-163 MB instead of 165-167 on Node 20 (79-83 s
 * instead of 75-77).
 * The young generation is the launch's, which V8 gives every thread whatever is asked here; it
 * is asked for all the same, so that a thread is the same where the flag is absent (tests).
 */
const THREAD_HEAP: ResourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: 32 };

/** Post files bigger than this skip the threads and are rendered in the large-post lane. */
const LARGE_POST_BYTES = 256 * 1024;

/**
 * The large-post lane: one thread, one post at a time, kept for the next large post until the
 * rebuild ends (a thread per post cost a start each time, and on Node 24 an ended thread's
 * pages stay mapped 8 s more). A post needs up to 48 MB per MiB of prose and code, but 256 MB
 * per MiB of nothing but table cells (Node 20 and 24 alike), and a hand-written file of 4 MB of
 * them 1 GB, the cap this lane had: on a small server (1 GB), such a file would have had the
 * server killed at every start. One that needs more than this is skipped (its last good row
 * stays) rather than taking the machine. The young generation is the launch's, as the threads':
 * with V8's default, the lane's heap grew to 160-180 MB on Node 24 over 30 posts of 300 KB,
 * against 36-49 MB with this one (Node 20: 59-81 MB with the default, 37-38 MB with this one).
 */
export const LARGE_POST_HEAP: ResourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: 256 };

export const outOfMemory = (error: Error & { code?: string }) => error.code === 'ERR_WORKER_OUT_OF_MEMORY';

/** The defaults suit a server; tests shrink the heaps to reach their limits with small posts. */
export interface PoolOptions {
  threads?: number;
  threadHeap?: ResourceLimits;
  largePostBytes?: number;
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
  { threads = availableParallelism(), threadHeap = THREAD_HEAP, largePostBytes = LARGE_POST_BYTES, largePostHeap = LARGE_POST_HEAP }: PoolOptions = {},
): IndexingPool | undefined {
  const script = new URL('./indexing-worker.js', import.meta.url);
  if (!existsSync(script)) return undefined;
  const startWorker = (resourceLimits: ResourceLimits) => new Worker(script, { workerData: { databasePath }, resourceLimits });
  const workers: Worker[] = [];
  // Each thread's answer to the last files it was handed (settled once it answered), and
  // whether the pool is closing (it then hands out no more).
  const answers = new Map<Worker, Promise<void>>();
  let closing = false;
  const hand = (worker: Worker, files: PlannedFile[]) => {
    answers.set(worker, answered(worker));
    worker.postMessage(files);
  };

  async function index(files: PlannedFile[]): Promise<IndexedFiles> {
    if (closing) throw new Error('the indexing pool is closed');
    const large = files.filter((file) => file.stat.size > largePostBytes);
    const regular = files.filter((file) => file.stat.size <= largePostBytes);
    const queue = inBatches(regular, FILES_PER_BATCH, BATCH_BYTES);
    if (queue.length > 0) while (workers.length < threads) workers.push(startWorker(threadHeap));
    const done: IndexedFiles = { added: 0, updated: 0, skipped: [] };
    const count = (batch: IndexedFiles) => addIndexed(done, batch);

    // Each thread takes the next batch when it has written its last one. A batch writes its
    // rows only once all are rendered, so one that ran its thread out of memory wrote nothing:
    // its largest file is rendered alone, and the rest go back in the queue.
    const serve = (slot: number): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const worker = workers[slot] as Worker;
        let batch: PlannedFile[] = [];
        const sendNext = () => {
          const next = closing ? undefined : queue.shift();
          if (!next) return resolve();
          hand(worker, (batch = next));
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
          if (rest.length > 0) queue.push(rest);
          // The new thread starts once it can be served at once, so that no failure of its goes unheard.
          indexLargePost(largest)
            .then(count)
            .then(() => {
              workers[slot] = startWorker(threadHeap);
              return serve(slot);
            })
            .then(resolve, reject);
        });
        sendNext();
      }).finally(() => workers[slot]?.removeAllListeners('message').removeAllListeners('error'));
    const largeDone = large.map((file) => indexLargePost(file).then(count));
    await Promise.all([...workers.map((_, slot) => serve(slot)), ...largeDone]);
    return done;
  }

  // The large-post lane (LARGE_POST_HEAP): one post at a time, each may take 256 MB.
  let lane: Worker | undefined;
  let laneTurn: Promise<unknown> = Promise.resolve();
  function indexLargePost(file: PlannedFile): Promise<IndexedFiles> {
    const turn = laneTurn.then(() => indexAlone(file));
    laneTurn = turn.catch(() => undefined);
    return turn;
  }

  function indexAlone(file: PlannedFile): Promise<IndexedFiles> {
    const worker = (lane ??= startWorker(largePostHeap));
    return new Promise<IndexedFiles>((resolve, reject) => {
      const indexed = (result: IndexedFiles) => {
        worker.off('error', failed);
        resolve(result);
      };
      const failed = (error: Error) => {
        // The thread has ended; the next large post gets a new one.
        worker.off('message', indexed);
        lane = undefined;
        if (!outOfMemory(error)) return reject(error);
        const reason = `needs more than ${largePostHeap.maxOldGenerationSizeMb} MB of memory to render`;
        resolve({ added: 0, updated: 0, skipped: [{ file: file.job.fileName, reason, stat: file.stat }] });
      };
      worker.once('message', indexed);
      worker.once('error', failed);
      hand(worker, [file]);
    });
  }

  return {
    index,
    largePostBytes,
    /**
     * Hands out no more files, lets each thread finish the files in hand, then ends the threads.
     * A thread is never ended inside SQLite: better-sqlite3 aborts the whole process when an
     * error (a write lock waited for too long) meets a thread being ended
     * (WiseLibs/better-sqlite3#842). A reindex still running then fails: see `index`.
     */
    async close() {
      closing = true;
      await Promise.all(answers.values());
      answers.clear();
      const running = [...workers.splice(0), ...(lane ? [lane] : [])];
      lane = undefined;
      await Promise.all(running.map((worker) => worker.terminate()));
    },
  };
}

/** Settles when the thread answers, fails or ends. */
function answered(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      worker.off('message', settle).off('error', settle).off('exit', settle);
      resolve();
    };
    worker.on('message', settle).on('error', settle).on('exit', settle);
  });
}
