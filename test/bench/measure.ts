import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { cpuMsOf } from './processes.js';

/**
 * One load, driven by autocannon inside this process (`workers: 0`): the machine has two cores,
 * shared by the load generator and the server under test, and extra worker threads would only
 * take CPU from the server. Latencies are recorded here, per response, with sub-millisecond
 * precision and whatever the status (autocannon's own histogram keeps whole milliseconds and
 * only 2xx answers, which would leave the 304 and 303 rows empty).
 */
export interface Load {
  url: string;
  connections: number;
  durationSeconds: number;
  expectStatus: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** For requests whose body changes each time (creates need unique titles). */
  nextBody?: () => string;
  /** For requests whose path changes each time (links shared with a parameter of their own). */
  nextPath?: () => string;
  /** The server's process, to count the CPU time it spends per answer. */
  serverPid?: number;
}

/** The raw outcome of one load; a row adds up several (see `summarize`). */
export interface LoadSamples {
  latenciesMs: Float64Array;
  seconds: number;
  /** Answers with another status, connection errors and timeouts. */
  failures: number;
  statuses: Record<string, number>;
  serverCpuMs: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  failures: number;
  statuses: Record<string, number>;
  /** Server CPU (user + system) per answer, in µs: where the time goes, apart from the load generator. */
  serverCpuUsPerResponse: number;
}

// A request slower than this is counted as a failure rather than waited for.
const REQUEST_TIMEOUT_SECONDS = 10;
const INITIAL_LATENCY_SLOTS = 1 << 16;

export function runLoad(load: Load): Promise<LoadSamples> {
  let latencies = new Float64Array(INITIAL_LATENCY_SLOTS);
  let responses = 0;
  let wrongStatus = 0;
  const statuses: Record<string, number> = {};
  const { nextBody, nextPath, serverPid } = load;
  const cpuBefore = serverPid === undefined ? undefined : cpuMsOf(serverPid);
  const started = performance.now();

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.url,
        connections: load.connections,
        duration: load.durationSeconds,
        workers: 0,
        timeout: REQUEST_TIMEOUT_SECONDS,
        method: load.method ?? 'GET',
        headers: load.headers ?? {},
        requests:
          nextBody || nextPath
            ? [{ setupRequest: (request) => ({ ...request, ...(nextBody && { body: nextBody() }), ...(nextPath && { path: nextPath() }) }) }]
            : undefined,
      },
      (error: unknown, result: autocannon.Result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const seconds = (performance.now() - started) / 1000;
        const cpuAfter = serverPid === undefined ? undefined : cpuMsOf(serverPid);
        resolve({
          latenciesMs: latencies.subarray(0, responses),
          seconds,
          failures: wrongStatus + result.errors + result.timeouts,
          statuses,
          serverCpuMs: cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (responses === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[responses++] = responseTime;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode !== load.expectStatus) wrongStatus++;
    });
  });
}

/** Adds up the rounds of one server on one row: total answers over total time, percentiles over all answers. */
export function summarize(rounds: LoadSamples[]): LoadResult {
  const all = new Float64Array(rounds.reduce((sum, round) => sum + round.latenciesMs.length, 0));
  let offset = 0;
  for (const round of rounds) {
    all.set(round.latenciesMs, offset);
    offset += round.latenciesMs.length;
  }
  all.sort();
  const statuses: Record<string, number> = {};
  for (const round of rounds) {
    for (const [status, count] of Object.entries(round.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  }
  const total = (pick: (round: LoadSamples) => number) => rounds.reduce((sum, round) => sum + pick(round), 0);
  return {
    requestsPerSecond: all.length / total((round) => round.seconds),
    p50Ms: percentile(all, 0.5),
    p99Ms: percentile(all, 0.99),
    responses: all.length,
    failures: total((round) => round.failures),
    statuses,
    serverCpuUsPerResponse: (total((round) => round.serverCpuMs) * 1000) / all.length,
  };
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}
