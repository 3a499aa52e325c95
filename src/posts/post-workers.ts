import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { UnsafeMarkdownError } from '../markdown/sanitize-markdown.js';
import { preparePost, type PrepareJob, type PreparedPost } from './prepare.js';
import { renderInThisThread, type RecordJob, type RenderRecords } from './reconcile.js';
import type { PostRecord } from './record.js';
import { createWorkerPool, WorkerTaskError } from './worker-pool.js';

export type PostTask = { kind: 'records'; jobs: RecordJob[] } | { kind: 'prepare'; job: PrepareJob };
type RecordResult = PostRecord | { error: string };

// Small batches keep every thread busy to the end; large ones save messages.
const JOBS_PER_BATCH = 32;
// Below this many files, starting threads costs more than it saves.
const MIN_JOBS_FOR_THREADS = 64;
// Threads idle this long end, and give their memory back; the next post starts one again (~50 ms).
const IDLE_MS = 30_000;

/**
 * Rendering Markdown is the CPU cost of writing a post and of a reindex, so it runs on worker
 * threads, one per core: the main thread stays free to answer readers, and a reindex or a burst
 * of posts uses every core.
 */
export interface PostWorkers {
  /** Renders files into index records, in the order of the jobs (for reconcile). */
  renderRecords: RenderRecords;
  /** preparePost, on a thread. */
  prepare(job: PrepareJob): Promise<PreparedPost>;
  close(): Promise<void>;
}

export function createPostWorkers(threads = availableParallelism()): PostWorkers {
  const script = new URL('./post-worker.js', import.meta.url);
  // Under a TypeScript test runner there is no compiled worker: do the work in this thread.
  if (!existsSync(script)) return inThisThread;
  const pool = createWorkerPool<PostTask, RecordResult[] | PreparedPost>(script, { threads, idleMs: IDLE_MS });

  return {
    async renderRecords(jobs) {
      if (jobs.length < MIN_JOBS_FOR_THREADS) return jobs.map(renderInThisThread);
      const batches: RecordJob[][] = [];
      for (let start = 0; start < jobs.length; start += JOBS_PER_BATCH) batches.push(jobs.slice(start, start + JOBS_PER_BATCH));
      const results = await Promise.all(batches.map((batch) => pool.run({ kind: 'records', jobs: batch }) as Promise<RecordResult[]>));
      return results.flat().map((result) => ('error' in result ? new Error(result.error) : result));
    },

    async prepare(job) {
      try {
        return (await pool.run({ kind: 'prepare', job })) as PreparedPost;
      } catch (error) {
        // The author must see why the text was refused, as when it is checked in this thread.
        if (error instanceof WorkerTaskError && error.remoteName === 'UnsafeMarkdownError') {
          throw new UnsafeMarkdownError(String(error.details.problem ?? ''));
        }
        throw error;
      }
    },

    close: () => pool.close(),
  };
}

/** The same work on the calling thread. */
export const inThisThread: PostWorkers = {
  renderRecords: async (jobs) => jobs.map(renderInThisThread),
  prepare: async (job) => preparePost(job),
  close: async () => {},
};
