import { parentPort } from 'node:worker_threads';
import { UnsafeMarkdownError } from '../markdown/sanitize-markdown.js';
import type { PostTask } from './post-workers.js';
import { preparePost } from './prepare.js';
import { renderInThisThread } from './reconcile.js';

/** A post-workers thread: renders batches of files for a reindex, or prepares one new post. */
parentPort?.on('message', ({ id, task }: { id: number; task: PostTask }) => {
  try {
    if (task.kind === 'prepare') return parentPort?.postMessage({ id, value: preparePost(task.job) });
    const results = task.jobs.map((job) => {
      const record = renderInThisThread(job);
      // Errors do not survive structured cloning with their class; send the message.
      return record instanceof Error ? { error: record.message } : record;
    });
    parentPort?.postMessage({ id, value: results });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    const details = error instanceof UnsafeMarkdownError ? { problem: error.problem } : {};
    parentPort?.postMessage({ id, error: { name, message, details } });
  }
});
