import { describe, expect, it } from 'vitest';
import { coalesced } from '../../src/posts/files.js';

/** A task that records when each run starts, and ends when the test says so. */
function controlledTask() {
  const runs: { startedAfterCalls: number; finish(): void }[] = [];
  let calls = 0;
  const task = () => new Promise<void>((resolve) => runs.push({ startedAfterCalls: calls, finish: resolve }));
  const call = (sync: () => Promise<void>) => {
    calls++;
    return sync();
  };
  return { task, runs, call };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesced (group commit of directory fsyncs)', () => {
  it('runs once for calls made while nothing runs, and once more for all calls made during a run', async () => {
    const { task, runs, call } = controlledTask();
    const sync = coalesced(task);
    const first = call(sync);
    const during = [call(sync), call(sync), call(sync)];
    expect(runs).toHaveLength(1);
    runs[0]?.finish();
    await first;
    await tick();
    // The second run started after every call made during the first: it covers them all.
    expect(runs).toHaveLength(2);
    expect(runs[1]?.startedAfterCalls).toBe(4);
    runs[1]?.finish();
    await Promise.all(during);
    expect(runs).toHaveLength(2);
  });

  it('never lets a call be served by a run that started before it', async () => {
    const { task, runs, call } = controlledTask();
    const sync = coalesced(task);
    let served = false;
    void call(sync);
    const late = call(sync).then(() => (served = true));
    runs[0]?.finish();
    await tick();
    expect(served).toBe(false);
    runs[1]?.finish();
    await late;
    expect(served).toBe(true);
  });

  it('passes a failed run to its callers, and runs again for the next ones', async () => {
    let fail = true;
    const sync = coalesced(async () => {
      if (fail) throw new Error('EIO');
    });
    await expect(sync()).rejects.toThrow('EIO');
    fail = false;
    await expect(sync()).resolves.toBeUndefined();
  });
});
