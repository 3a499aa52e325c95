import type { LoadResult } from './measure.js';

/** The targets of issue 5, each judged on numbers from the same run. */
export const MIN_RATIO_TO_BASELINE = 0.5;
export const MAX_READ_P99_MS = 5;
export const MAX_CREATE_P50_MS = 10;
export const MIN_REINDEX_POSTS_PER_SECOND = 1000;
export const MAX_WARM_STARTUP_MS = 3000;
export const MAX_RSS_BYTES = 200 * 1024 * 1024;
export const MAX_PAGE_WEIGHT_BYTES = 30 * 1024;
/**
 * What the issue measured bare `http` serving its 8 KB page at on its machine (c=32): the
 * absolute bounds above were set there. The report sets this run's baseline beside it.
 */
export const ISSUE_BASELINE_READS_PER_SECOND = { low: 35_000, high: 40_000 };
// A load whose answers are wrong is not fast, however many it got through.
const MAX_FAILURE_FRACTION = 0.01;

/** What one row is judged on; an absent bound is not judged (it is still printed). */
export interface RowTarget {
  minRatio?: number;
  maxP50Ms?: number;
  maxP99Ms?: number;
}

export const READ_TARGET: RowTarget = { minRatio: MIN_RATIO_TO_BASELINE, maxP99Ms: MAX_READ_P99_MS };
/**
 * Creates are judged in two rows. Throughput against the baseline needs concurrent writers to
 * saturate both servers; latency does not survive concurrency, because one process renders and
 * fsyncs creates one after another: at 8 connections the median waits behind ~4 others, so
 * p50 < 10 ms would demand a whole create in ~1.3 ms, which even the bare baseline barely does.
 * A blog has one author: latency is judged on creates one at a time.
 */
export const CREATE_THROUGHPUT_TARGET: RowTarget = { minRatio: MIN_RATIO_TO_BASELINE };
export const CREATE_LATENCY_TARGET: RowTarget = { maxP50Ms: MAX_CREATE_P50_MS };

export function targetText({ minRatio, maxP50Ms, maxP99Ms }: RowTarget): string {
  return [
    minRatio === undefined ? '' : `≥${minRatio}×`,
    maxP50Ms === undefined ? '' : `p50<${maxP50Ms}ms`,
    maxP99Ms === undefined ? '' : `p99<${maxP99Ms}ms`,
  ].filter(Boolean).join(', ');
}

/** What fell short, in words; empty when the row met its target. */
export function shortfalls(target: RowTarget, quire: LoadResult, baseline: LoadResult, expectStatus: number): string[] {
  const missed: string[] = [];
  if (quire.responses === 0 || quire.failures / (quire.responses || 1) > MAX_FAILURE_FRACTION) {
    missed.push(`${quire.failures} of ${quire.responses} not ${expectStatus}`);
  }
  if (target.minRatio !== undefined && !(quire.requestsPerSecond / baseline.requestsPerSecond >= target.minRatio)) missed.push('ratio');
  if (target.maxP50Ms !== undefined && !(quire.p50Ms < target.maxP50Ms)) missed.push('p50');
  if (target.maxP99Ms !== undefined && !(quire.p99Ms < target.maxP99Ms)) missed.push('p99');
  return missed;
}
