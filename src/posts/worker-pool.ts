import { Worker } from 'node:worker_threads';

/**
 * A few worker threads running one script, each taking one task at a time from a shared queue,
 * so that a slow task never holds up others behind it on the same thread. Threads start when
 * there is work and end after `idleMs` without any: an idle blog keeps no thread's memory.
 *
 * The script answers each `{ id, task }` message with `{ id, value }` or `{ id, error }`.
 */
export interface WorkerPool<Task, Value> {
  run(task: Task): Promise<Value>;
  close(): Promise<void>;
}

/** An error thrown in a worker, as it arrives: its name, message and whatever the script added. */
export class WorkerTaskError extends Error {
  constructor(
    readonly remoteName: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'WorkerTaskError';
  }
}

export type WorkerReply<Value> = { id: number; value: Value } | { id: number; error: { name: string; message: string; details?: Record<string, unknown> } };

interface Job<Task, Value> {
  id: number;
  task: Task;
  resolve(value: Value): void;
  reject(error: Error): void;
}

interface Thread<Task, Value> {
  worker: Worker;
  job?: Job<Task, Value>;
  idleTimer?: NodeJS.Timeout;
}

export function createWorkerPool<Task, Value>(script: URL, { threads, idleMs }: { threads: number; idleMs: number }): WorkerPool<Task, Value> {
  const queue: Job<Task, Value>[] = [];
  const pool = new Set<Thread<Task, Value>>();
  let nextId = 0;
  let closed = false;

  function startThread(): Thread<Task, Value> {
    const thread: Thread<Task, Value> = { worker: new Worker(script) };
    thread.worker.on('message', (reply: WorkerReply<Value>) => {
      const job = thread.job;
      if (!job || job.id !== reply.id) return;
      thread.job = undefined;
      if ('error' in reply) job.reject(new WorkerTaskError(reply.error.name, reply.error.message, reply.error.details));
      else job.resolve(reply.value);
      dispatch();
    });
    // A thread that dies (out of memory, a bug) fails its own task only; the queue goes on.
    const fail = (error: Error) => {
      pool.delete(thread);
      clearTimeout(thread.idleTimer);
      thread.job?.reject(error);
      thread.job = undefined;
      dispatch();
    };
    thread.worker.once('error', fail);
    thread.worker.once('exit', (code) => fail(new Error(`worker thread exited (code ${code})`)));
    pool.add(thread);
    return thread;
  }

  // Out of the pool first, so that no task is handed to a thread on its way out.
  function retire(thread: Thread<Task, Value>): void {
    pool.delete(thread);
    void thread.worker.terminate();
  }

  function dispatch(): void {
    while (queue.length > 0) {
      const thread = [...pool].find((t) => !t.job) ?? (pool.size < threads ? startThread() : undefined);
      if (!thread) return;
      const job = queue.shift() as Job<Task, Value>;
      clearTimeout(thread.idleTimer);
      thread.idleTimer = undefined;
      thread.job = job;
      thread.worker.postMessage({ id: job.id, task: job.task });
    }
    for (const thread of pool) {
      if (!thread.job && !thread.idleTimer) thread.idleTimer = setTimeout(() => retire(thread), idleMs).unref();
    }
  }

  return {
    run(task) {
      if (closed) return Promise.reject(new Error('the worker pool is closed'));
      return new Promise<Value>((resolve, reject) => {
        queue.push({ id: nextId++, task, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('the worker pool is closed'));
      await Promise.all([...pool].map(({ worker }) => worker.terminate()));
    },
  };
}
