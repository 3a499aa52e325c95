import { parentPort } from 'node:worker_threads';
import { UnsafeMarkdownError } from '../markdown/sanitize-markdown.js';
import { preparePost, type PostJob } from './prepare.js';

/** The preparing thread (preparing-thread.ts): one new post at a time, answered by its id. */
parentPort?.on('message', ({ id, job }: { id: number; job: PostJob }) => {
  try {
    parentPort?.postMessage({ id, prepared: preparePost(job) });
  } catch (error) {
    // Only the problem travels: the other thread makes the error again, of its own class.
    const unsafe = error instanceof UnsafeMarkdownError ? error.problem : undefined;
    parentPort?.postMessage({ id, failed: { unsafe, message: error instanceof Error ? error.message : String(error) } });
  }
});
