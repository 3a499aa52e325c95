import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Plan } from './reconcile.js';

/**
 * Makes the start-up plan on a worker thread. Planning touches every file and every index row
 * (100,000 of each on a large blog), and the memory that takes would stay with the server for
 * good; a thread's memory is returned when the thread ends. Undefined where there is no
 * compiled worker (under the TypeScript test runner): the caller then plans in its own thread.
 */
export async function planInWorker(databasePath: string, postsDir: string): Promise<Plan | undefined> {
  const script = new URL('./plan-worker.js', import.meta.url);
  if (!existsSync(script)) return undefined;
  const worker = new Worker(script, { workerData: { databasePath, postsDir } });
  const [plan] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(([error]) => Promise.reject(error))])) as [Plan];
  await worker.terminate();
  return plan;
}
