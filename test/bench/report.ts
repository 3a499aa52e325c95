import os from 'node:os';
import type { LoadResult } from './measure.js';
import { NOISY_CPU_SHARE } from './noise.js';
import type { PageWeight } from './page-weight.js';
import type { ServingStart, UpgradeStart } from './quire.js';
import { recentDeletionLines, type RecentDeletion } from './recent-deletions.js';
import type { RowPlan } from './rows.js';
import {
  ISSUE_BASELINE_READS_PER_SECOND,
  MAX_PAGE_WEIGHT_BYTES,
  MAX_READ_P99_MS,
  MAX_RSS_BYTES,
  MAX_WARM_STARTUP_MS,
  MIN_REINDEX_POSTS_PER_SECOND,
  shortfalls,
  targetText,
} from './targets.js';

/** The one table of a bench run, the lines under it, and the verdict. A report: it never fails the run. */
export interface RowOutcome {
  plan: RowPlan;
  quire?: LoadResult;
  baseline?: LoadResult;
}

export interface Report {
  header: string;
  command: string;
  loadAverageAtStart: number;
  /** Share of the machine's CPU taken by other processes during the loads (undefined off Linux). */
  othersCpuShare: number | undefined;
  /** The last run's deletion of its folder, when recent enough to slow this run's creates. */
  recentDeletion: RecentDeletion | undefined;
  rows: RowOutcome[];
  reindex: { ms: number; added: number };
  coldStart: Omit<ServingStart, 'server'>;
  /** The server's peak RSS over its first start, i.e. over a full build of the index (undefined off Linux). */
  coldPeakBytes: number | undefined;
  warmStart: Omit<ServingStart, 'server'>;
  upgrade: UpgradeStart;
  memory: { rssBytes: number; peakBytes: number } | undefined;
  pageWeight: PageWeight;
  elapsedMs: number;
}

const MISSED = 'MISSED';
const MET = 'met';
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '—');
const perSecond = (value: number) => Math.round(value).toLocaleString('en-US');
const cpu = (microseconds: number) => (Number.isFinite(microseconds) ? Math.round(microseconds).toLocaleString('en-US') : '?');
const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)} s`;

/** Also the load average when the bench began: a busy machine explains a noisy table. */
export function machine(loadAverage: number): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, `
    + `${os.type()} ${os.release()}, node ${process.version}; load average at start ${loadAverage.toFixed(2)}`;
}

function alignedTable(head: string[], body: string[][], rightAligned: Set<number>): string {
  const widths = head.map((title, column) => Math.max(title.length, ...body.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(head), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

function rowCells({ plan, quire, baseline }: RowOutcome): { cells: string[]; met: boolean } {
  if (plan.unavailable || !quire || !baseline) {
    const why = `n/a (${plan.unavailable ?? 'not measured'})`;
    return { cells: [plan.name, 'n/a', '', '', '', '', '', '', targetText(plan.target), `${MISSED}: ${why}`], met: false };
  }
  const missed = shortfalls(plan.target, quire, baseline, plan.expectStatus);
  const cells = [
    plan.name,
    perSecond(quire.requestsPerSecond),
    ms(quire.p50Ms),
    ms(quire.p99Ms),
    perSecond(baseline.requestsPerSecond),
    ms(baseline.p99Ms),
    (quire.requestsPerSecond / baseline.requestsPerSecond).toFixed(2),
    `${cpu(quire.serverCpuUsPerResponse)} / ${cpu(baseline.serverCpuUsPerResponse)}`,
    targetText(plan.target),
    missed.length === 0 ? MET : `${MISSED} (${missed.join(', ')})`,
  ];
  return { cells, met: missed.length === 0 };
}

type MeasureLine = [label: string, value: string, target: string, met: boolean | undefined];

/** The measures that are not loads; `met` is undefined where there is no target (informative only). */
function measureLines(report: Report): MeasureLine[] {
  const reindexRate = report.reindex.added / (report.reindex.ms / 1000);
  // The first transfer is the page, the others its stylesheets (paths left out: too wide).
  const weight = report.pageWeight.transfers.map(({ bytes, encoding }, i) => `${i === 0 ? 'HTML' : 'CSS'} ${kb(bytes)} ${encoding}`).join(' + ');
  const rssTarget = `<${mb(MAX_RSS_BYTES)}`;
  return [
    ['reindex, empty index (node dist/src/reindex.js, process start included)', `${report.reindex.added} posts in ${seconds(report.reindex.ms)} = ${perSecond(reindexRate)} posts/s`, `≥${MIN_REINDEX_POSTS_PER_SECOND} posts/s`, reindexRate >= MIN_REINDEX_POSTS_PER_SECOND],
    ['start-up, empty index (full build)', `listening after ${seconds(report.coldStart.listeningMs)}, built after ${seconds(report.coldStart.reconciledMs)}`, '', undefined],
    peakLine('server peak RSS over that full build', report.coldPeakBytes, rssTarget),
    // Judged on the folder checked, not on the server listening (which it does before that).
    [
      'start-up, up-to-date index',
      `listening after ${seconds(report.warmStart.listeningMs)}, folder checked after ${seconds(report.warmStart.reconciledMs)}`,
      `<${MAX_WARM_STARTUP_MS / 1000} s`,
      report.warmStart.reconciledMs < MAX_WARM_STARTUP_MS,
    ],
    // Judged by the peak: the RSS at the end depends on when V8 last collected (111-168 MB
    // between runs at 1,000 posts), and the target is that the server stays under it.
    report.memory
      ? ['server peak RSS over the loads', `${mb(report.memory.peakBytes)} (${mb(report.memory.rssBytes)} at the end)`, rssTarget, report.memory.peakBytes < MAX_RSS_BYTES]
      : ['server peak RSS over the loads', 'n/a (no /proc)', rssTarget, false],
    [
      'start-up after an upgrade that renders every post again',
      `listening after ${seconds(report.upgrade.listeningMs)}, all rendered after ${seconds(report.upgrade.reconciledMs)}`,
      '',
      undefined,
    ],
    peakLine('server peak RSS over that re-render, serving', report.upgrade.peakBytes, rssTarget),
    ['page weight, post page + CSS (Accept-Encoding: br)', `${weight} = ${kb(report.pageWeight.totalBytes)}`, `<${kb(MAX_PAGE_WEIGHT_BYTES)}`, report.pageWeight.totalBytes < MAX_PAGE_WEIGHT_BYTES],
  ];
}

function peakLine(label: string, peakBytes: number | undefined, rssTarget: string): MeasureLine {
  return peakBytes === undefined ? [label, 'n/a (no /proc)', rssTarget, false] : [label, mb(peakBytes), rssTarget, peakBytes < MAX_RSS_BYTES];
}

/**
 * This machine's speed, by the read baseline against the issue's machine: on a slower one the
 * baseline's own p99 comes near the absolute bound, and a missed p99 says as much about the
 * machine as about Quire (the verdicts stay as the issue states them).
 */
function machineSpeedLine(rows: RowOutcome[]): string[] {
  const baselines = rows.flatMap(({ plan, baseline }) => (plan.target.maxP99Ms !== undefined && baseline ? [baseline] : []));
  if (baselines.length === 0) return [];
  const rates = baselines.map(({ requestsPerSecond }) => requestsPerSecond);
  const worstP99 = Math.max(...baselines.map(({ p99Ms }) => p99Ms));
  const { low, high } = ISSUE_BASELINE_READS_PER_SECOND;
  return [
    `machine speed: the read baseline served ${perSecond(Math.min(...rates))}–${perSecond(Math.max(...rates))} answers a second (the issue's machine: ${perSecond(low)}–${perSecond(high)}),`,
    `with its own p99 up to ${ms(worstP99)} ms against the ${MAX_READ_P99_MS} ms bound`,
  ];
}

function noiseLine(share: number | undefined): string {
  if (share === undefined) return 'other processes during the loads: unknown (no /proc)';
  const percent = `${(share * 100).toFixed(0)}%`;
  return share > NOISY_CPU_SHARE
    ? `WARNING: other processes took ${percent} of the machine's CPU during the loads: the rows are unreliable; run again on a quiet machine`
    : `other processes took ${percent} of the machine's CPU during the loads (quiet enough)`;
}

export function formatReport(report: Report): string {
  const rows = report.rows.map(rowCells);
  const table = alignedTable(
    ['row', 'req/s', 'p50 ms', 'p99 ms', 'baseline req/s', 'base p99', 'ratio', 'CPU µs/req (Q / base)', 'target', 'met?'],
    rows.map(({ cells }) => cells),
    new Set([1, 2, 3, 4, 5, 6, 7]),
  );
  const lines = measureLines(report);
  const measures = alignedTable(
    ['measure', 'value', 'target', 'met?'],
    lines.map(([label, value, target, met]) => [label, value, target, met === undefined ? '' : met ? MET : MISSED]),
    new Set(),
  );

  const verdicts = [...rows.map(({ met }) => met), ...lines.flatMap(([, , , met]) => (met === undefined ? [] : [met]))];
  const missedCount = verdicts.filter((met) => !met).length;
  const verdict = missedCount === 0
    ? `RESULT: all ${verdicts.length} targets met`
    : `RESULT: ${missedCount} of ${verdicts.length} targets ${MISSED}`;

  return [
    report.header,
    `machine: ${machine(report.loadAverageAtStart)}`,
    `command: ${report.command}`,
    '',
    table,
    'CPU µs/req: user + system CPU time of the server process per answer (/proc), Quire / baseline. The load generator',
    'runs in this process on the same cores, so at tens of thousands of req/s it, not the server, sets the pace.',
    noiseLine(report.othersCpuShare),
    ...machineSpeedLine(report.rows),
    ...recentDeletionLines(report.recentDeletion),
    '',
    measures,
    '',
    `${verdict} (the bench took ${(report.elapsedMs / 1000).toFixed(0)} s)`,
  ].join('\n');
}
