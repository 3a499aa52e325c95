import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

/**
 * The child processes of a bench run: Quire, the baselines, the reindex command. Each writes its
 * output to a log file rather than a pipe, so that the bench (which shares the CPU with them)
 * never spends time reading Quire's per-request log lines, and a full pipe can never stall a server.
 */
export interface Child {
  process: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<number | string>;
}

export interface Listening extends Child {
  url: string;
  /** From spawn to the "listening" log line. */
  startupMs: number;
}

const running = new Set<ChildProcess>();
const LISTENING = /"event":"listening","url":"([^"]+)"/;
// How often the log file is read while waiting for start-up: fine enough for start-up times.
const POLL_MS = 5;
const LOG_TAIL_CHARS = 4000;

/** `node <nodeFlags> <script>`, its output appended to `logFile`. */
export function spawnLogged(script: string, env: Record<string, string>, logFile: string, nodeFlags: string[] = []): Child {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeFlags, script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd); // the child has its own copy
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  running.add(child);
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return (code ?? signal) as number | string;
  });
  return { process: child, pid: child.pid, logFile, exited };
}

export function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').slice(-LOG_TAIL_CHARS);
  } catch {
    return '(no log)';
  }
}

/** Starts a server program and resolves once its "listening" line is in the log. */
export async function startListening(script: string, env: Record<string, string>, logFile: string, timeoutMs: number, nodeFlags: string[] = []): Promise<Listening> {
  const started = performance.now();
  const child = spawnLogged(script, env, logFile, nodeFlags);
  const match = await waitForLogLine(child, LISTENING, started + timeoutMs);
  return { ...child, url: match[1] ?? '', startupMs: performance.now() - started };
}

/** Waits until `pattern` matches the child's log (a server's "reconciled" line, say); stops the child if it never does by `deadline`. */
export async function waitForLogLine(child: Child, pattern: RegExp, deadline: number): Promise<RegExpExecArray> {
  let exitCode: number | string | undefined;
  void child.exited.then((code) => (exitCode = code));
  for (;;) {
    const match = pattern.exec(readFileSync(child.logFile, 'utf8'));
    if (match) return match;
    if (exitCode !== undefined) throw new Error(`exited (${exitCode}) before its log said ${pattern}:\n${logTail(child.logFile)}`);
    if (performance.now() > deadline) {
      await stop(child);
      throw new Error(`its log did not say ${pattern} in time:\n${logTail(child.logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Runs a program to its end; rejects when it fails. */
export async function runToEnd(script: string, env: Record<string, string>, logFile: string, nodeFlags: string[] = []): Promise<{ ms: number; output: string }> {
  const started = performance.now();
  const child = spawnLogged(script, env, logFile, nodeFlags);
  const code = await child.exited;
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${script} exited (${code}):\n${logTail(logFile)}`);
  return { ms, output: readFileSync(logFile, 'utf8') };
}

// A server gets this long to shut down gracefully before it is killed.
const STOP_GRACE_MS = 5_000;

export async function stop(child: Child): Promise<void> {
  if (!running.has(child.process)) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), STOP_GRACE_MS);
  await child.exited;
  clearTimeout(timer);
}

/** Last resort, on errors and Ctrl-C: no server outlives the bench. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Resident memory now and at its peak, in bytes, from /proc (Linux). */
export function memoryOf(pid: number): { rssBytes: number; peakBytes: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

// Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every common architecture.
export const MS_PER_CLOCK_TICK = 10;

/** CPU time (user + system) the process has used so far, in ms; undefined without /proc. */
export function cpuMsOf(pid: number): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return Number.isFinite(ticks) ? ticks * MS_PER_CLOCK_TICK : undefined;
  } catch {
    return undefined;
  }
}
