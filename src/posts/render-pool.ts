import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PostRecord } from './record.js';
import { renderInThisThread, type RecordJob, type RenderRecords } from './reconcile.js';

// Small batches keep every thread busy to the end; large ones save messages.
const JOBS_PER_BATCH = 32;
// Below this many files, starting threads costs more than it saves.
const MIN_JOBS_FOR_THREADS = 64;

/**
 * Rendering Markdown is the cost of a full reindex (a few ms a post), so it is spread over
 * one worker thread per core. Results come back in the order of the jobs.
 */
export function createRenderPool(threads = availableParallelism()): { render: RenderRecords; close(): Promise<void> } {
  const script = new URL('./render-worker.js', import.meta.url);
  // Under a TypeScript test runner there is no compiled worker: render in this thread.
  const usable = existsSync(script);
  const workers: Worker[] = [];

  async function render(jobs: RecordJob[]): Promise<(PostRecord | Error)[]> {
    if (!usable || jobs.length < MIN_JOBS_FOR_THREADS) return jobs.map(renderInThisThread);
    while (workers.length < threads) workers.push(new Worker(script));
    const results: (PostRecord | Error)[] = new Array(jobs.length);
    let next = 0;
    let batchId = 0;
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const pending = new Map<number, number>();
            const sendNext = () => {
              if (next >= jobs.length) return resolve();
              const start = next;
              next += JOBS_PER_BATCH;
              const id = batchId++;
              pending.set(id, start);
              worker.postMessage({ id, jobs: jobs.slice(start, start + JOBS_PER_BATCH) });
            };
            const onMessage = ({ id, results: batch }: { id: number; results: (PostRecord | { error: string })[] }) => {
              const start = pending.get(id) ?? 0;
              pending.delete(id);
              batch.forEach((result, i) => {
                results[start + i] = 'error' in result ? new Error(result.error) : result;
              });
              sendNext();
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            sendNext();
          }).finally(() => worker.removeAllListeners('message').removeAllListeners('error')),
      ),
    );
    return results;
  }

  return {
    render,
    async close() {
      await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
    },
  };
}
