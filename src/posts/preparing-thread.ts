import { existsSync } from 'node:fs';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { UnsafeMarkdownError } from '../markdown/sanitize-markdown.js';
import { LARGE_POST_HEAP, outOfMemory } from './indexing-pool.js';
import { prepareInThisThread, PostTooLargeToRenderError, type PostJob, type PostPreparer, type PreparedPost } from './prepare.js';

/**
 * The heap a new post may take to render: the rebuild's large-post lane's (256 MB). The form
 * takes up to 1 MiB of Markdown; a post of that size needs 44-48 MB, one of nothing but table
 * cells about 256 MB. One that needs more is refused (413, the form kept).
 */
const PREPARING_HEAP: ResourceLimits = LARGE_POST_HEAP;

/** Large posts are rare: the thread ends after this long without one to prepare. */
const IDLE_MS = 10_000;

/**
 * Drafts longer than this go to the thread; shorter ones are prepared at once, on the main
 * thread: a typical post (5 KB) in ~0.9 ms, 32 KB in ~7 ms, which readers barely notice.
 * The thread is what costs memory: 25 MB on Node 20 and 35-40 MB on Node 24 while it lives
 * (its own isolate, with markdown-it, highlight.js and the sanitizer loaded again). With it
 * taking every post, an author publishing every half second beside a crawler and the readers
 * of a popular post took the server on 100,000 posts from 169 to 197 MB on Node 24.
 */
const THREAD_CONTENT_CHARS = 32 * 1024;

export interface PreparingThreadOptions {
  heap?: ResourceLimits;
  idleMs?: number;
  threadContentChars?: number;
}

export interface PreparingThread {
  prepare: PostPreparer;
  close(): Promise<void>;
}

type Answer = { id: number; prepared?: PreparedPost; failed?: { unsafe?: string; message: string } };
type Waiting = { resolve: (prepared: PreparedPost) => void; reject: (error: Error) => void };

/**
 * Large new posts are rendered on a thread of their own: on the main thread, a create held
 * every reader for as long as its post took to render (200-300 ms for one near the form's
 * limit, ~0.3 s of readers waiting while the author published it). The thread starts with the
 * first large post, takes posts one at a time, and ends once idle; shorter posts are prepared
 * at once, in the caller's thread (THREAD_CONTENT_CHARS).
 * Undefined where there is no compiled worker (under the TypeScript test runner).
 */
export function createPreparingThread({ heap = PREPARING_HEAP, idleMs = IDLE_MS, threadContentChars = THREAD_CONTENT_CHARS }: PreparingThreadOptions = {}): PreparingThread | undefined {
  const script = new URL('./preparing-worker.js', import.meta.url);
  if (!existsSync(script)) return undefined;
  let worker: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 0;
  const waiting = new Map<number, Waiting>();

  const answered = ({ id, prepared, failed }: Answer) => {
    const job = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) idleTimer = setTimeout(stop, idleMs).unref();
    if (prepared) return job?.resolve(prepared);
    job?.reject(failed?.unsafe !== undefined ? new UnsafeMarkdownError(failed.unsafe) : new Error(failed?.message));
  };

  const failAll = (reason: Error) => {
    for (const job of waiting.values()) job.reject(reason);
    waiting.clear();
  };

  function start(): Worker {
    const thread = new Worker(script, { resourceLimits: heap });
    // The thread has ended by itself (out of memory, or worse): the posts it held fail, and the
    // next post starts a new thread. 'exit' follows 'error'; the first of them settles it.
    let ended = false;
    const end = (error: Error & { code?: string }) => {
      if (ended) return;
      ended = true;
      if (worker === thread) worker = undefined;
      failAll(outOfMemory(error) ? new PostTooLargeToRenderError(heap.maxOldGenerationSizeMb ?? 0) : error);
    };
    thread.on('message', answered);
    thread.on('error', end);
    thread.on('exit', (code) => end(new Error(`the preparing thread exited (${code})`)));
    return thread;
  }

  function stop(): Promise<void> {
    const thread = worker;
    worker = undefined;
    clearTimeout(idleTimer);
    failAll(new Error('the preparing thread was stopped'));
    return thread ? thread.removeAllListeners().terminate().then(() => undefined) : Promise.resolve();
  }

  return {
    prepare(job: PostJob) {
      if (job.draft.content.length <= threadContentChars) return prepareInThisThread(job);
      clearTimeout(idleTimer);
      worker ??= start();
      const id = nextId++;
      const prepared = new Promise<PreparedPost>((resolve, reject) => waiting.set(id, { resolve, reject }));
      worker.postMessage({ id, job });
      return prepared;
    },
    close: stop,
  };
}
