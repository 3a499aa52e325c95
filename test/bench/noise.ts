import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { cpuMsOf, MS_PER_CLOCK_TICK } from './processes.js';

/**
 * How much CPU the rest of the machine took while the loads ran. The bench shares two cores
 * between the load generator and the server; anything else running (a test suite, a build, the
 * hypervisor stealing time) takes from both at random and makes the table lie. Measured as the
 * machine's busy time (/proc/stat, steal included) minus the time of the bench's own processes.
 * Interrupt time is left out on both sides: the kernel books the loopback traffic of the loads
 * there, not to the processes that caused it, and it would read as someone else's work.
 */
export interface CpuSnapshot {
  atMs: number;
  machineBusyMs: number;
  ownMs: number;
}

// Above this share of the machine, the numbers say more about the neighbours than about Quire.
export const NOISY_CPU_SHARE = 0.1;

function machineBusyMs(): number {
  // "cpu  user nice system idle iowait irq softirq steal …", in clock ticks, summed over cores.
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , , , steal = 0] = fields;
  return (user + nice + system + steal) * MS_PER_CLOCK_TICK;
}

/** `pids`: the bench's children that are running (this process is counted on its own). */
export function cpuSnapshot(pids: number[]): CpuSnapshot | undefined {
  try {
    const own = process.cpuUsage();
    const children = pids.reduce((sum, pid) => sum + (cpuMsOf(pid) ?? Number.NaN), 0);
    return { atMs: performance.now(), machineBusyMs: machineBusyMs(), ownMs: (own.user + own.system) / 1000 + children };
  } catch {
    return undefined; // not Linux
  }
}

/** The share (0–1) of the machine's CPU capacity that went elsewhere between two snapshots. */
export function othersShare(before: CpuSnapshot, after: CpuSnapshot): number {
  const capacityMs = (after.atMs - before.atMs) * cpus().length;
  const othersMs = after.machineBusyMs - before.machineBusyMs - (after.ownMs - before.ownMs);
  return Math.max(0, othersMs / capacityMs);
}
