import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorkerPool, WorkerTaskError } from '../../src/posts/worker-pool.js';

// A plain JavaScript worker (the pool's own scripts are compiled TypeScript, absent here).
const dir = mkdtempSync(path.join(tmpdir(), 'quire-pool-'));
const script = pathToFileURL(path.join(dir, 'worker.mjs'));
writeFileSync(
  script,
  `import { parentPort, threadId } from 'node:worker_threads';
parentPort.on('message', async ({ id, task }) => {
  if (task.kind === 'fail') return parentPort.postMessage({ id, error: { name: 'TypeError', message: 'bad task', details: { why: 42 } } });
  if (task.kind === 'crash') process.exit(3);
  if (task.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, task.ms));
  parentPort.postMessage({ id, value: { doubled: task.n * 2, threadId } });
});`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Task = { kind: 'double' | 'fail' | 'crash'; n?: number } | { kind: 'slow'; ms: number; n: number };
type Value = { doubled: number; threadId: number };

describe('worker pool', () => {
  it('runs tasks on up to `threads` threads and returns each task its own answer', async () => {
    const pool = createWorkerPool<Task, Value>(script, { threads: 2, idleMs: 60_000 });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run({ kind: 'slow', ms: 20, n })));
    expect(answers.map((a) => a.doubled)).toEqual([2, 4, 6, 8, 10]);
    expect(new Set(answers.map((a) => a.threadId)).size).toBe(2);
    await pool.close();
  });

  it('hands a slow task its own thread: others do not wait behind it', async () => {
    const pool = createWorkerPool<Task, Value>(script, { threads: 2, idleMs: 60_000 });
    let slowDone = false;
    const slow = pool.run({ kind: 'slow', ms: 1_000, n: 0 }).then(() => (slowDone = true));
    for (let n = 1; n <= 5; n++) expect((await pool.run({ kind: 'double', n })).doubled).toBe(2 * n);
    expect(slowDone).toBe(false);
    await slow;
    await pool.close();
  });

  it('rejects a failed task with the error the thread sent, and goes on', async () => {
    const pool = createWorkerPool<Task, Value>(script, { threads: 1, idleMs: 60_000 });
    const error = await pool.run({ kind: 'fail' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerTaskError);
    expect(error).toMatchObject({ remoteName: 'TypeError', message: 'bad task', details: { why: 42 } });
    expect((await pool.run({ kind: 'double', n: 4 })).doubled).toBe(8);
    await pool.close();
  });

  it('fails only the task of a thread that dies, and starts another for the rest', async () => {
    const pool = createWorkerPool<Task, Value>(script, { threads: 1, idleMs: 60_000 });
    const [crashed, after] = await Promise.allSettled([pool.run({ kind: 'crash' }), pool.run({ kind: 'double', n: 21 })]);
    expect(crashed.status).toBe('rejected');
    expect(after).toMatchObject({ status: 'fulfilled', value: { doubled: 42 } });
    await pool.close();
  });

  it('ends idle threads, and starts a new one for the next task', async () => {
    const pool = createWorkerPool<Task, Value>(script, { threads: 1, idleMs: 50 });
    const first = await pool.run({ kind: 'double', n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = await pool.run({ kind: 'double', n: 1 });
    expect(second.threadId).not.toBe(first.threadId);
    await pool.close();
  });

  it('refuses tasks once closed', async () => {
    const pool = createWorkerPool<Task, Value>(script, { threads: 1, idleMs: 60_000 });
    await pool.close();
    await expect(pool.run({ kind: 'double', n: 1 })).rejects.toThrow('closed');
  });
});
