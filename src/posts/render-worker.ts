import { parentPort } from 'node:worker_threads';
import { renderInThisThread, type RecordJob } from './reconcile.js';

/** A render-pool thread: renders batches of post files into index records. */
parentPort?.on('message', ({ id, jobs }: { id: number; jobs: RecordJob[] }) => {
  const results = jobs.map((job) => {
    const record = renderInThisThread(job);
    // Errors do not survive structured cloning with their class; send the message.
    return record instanceof Error ? { error: record.message } : record;
  });
  parentPort?.postMessage({ id, results });
});
