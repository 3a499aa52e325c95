import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFormBaseline, startReadBaseline } from './baselines.js';
import { typicalPost, writeCorpus } from './corpus.js';
import { recordReads } from './fixtures.js';
import { signIn } from './http-raw.js';
import { runLoad, summarize, type Load, type LoadSamples } from './measure.js';
import { cpuSnapshot, othersShare } from './noise.js';
import { parseOptions, type BenchOptions } from './options.js';
import { measurePageWeight } from './page-weight.js';
import { killAll, memoryOf, stop } from './processes.js';
import { AUTHOR_PASSWORD, checkBuilt, startAfterUpgrade, startAndReconcile, timeReindex } from './quire.js';
import { countFiles, noteDeletion, recentDeletion, type RecentDeletion } from './recent-deletions.js';
import { formatReport, type RowOutcome } from './report.js';
import { BROWSER_ENCODINGS, createPlan, readBesideCrawlerPlan, readPlans, readWhilePublishingPlan, type Endpoints, type RowPlan } from './rows.js';

/**
 * `npm run bench`: Quire against the ceiling of this machine, in one run (issue 5).
 * Corpus → reindex → cold start, start after an upgrade, warm start → fixtures → baselines → loads in turns → one table.
 * Progress goes to stderr, the report to stdout. The exit code is 0 even when targets are missed
 * (it is a report); only a broken run (Quire did not start, answered 500…) exits 1.
 */
// Lets the JIT, the page caches and the connection pools settle before a load is measured.
const WARMUP_SECONDS = 1;
// Each row's measurement is cut into rounds, baseline and Quire in turn, so that a burst of
// noise from elsewhere on the machine falls on both rather than on whichever ran at the time.
const ROUNDS_PER_ROW = 3;

const step = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function commandLine(): string {
  const args = process.argv.slice(2).join(' ');
  const node = `node ${path.relative(process.cwd(), process.argv[1] ?? '')}${args ? ` ${args}` : ''}`;
  return process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args ? ` -- ${args}` : ''}   (${node})` : node;
}

/** Warm up both, then measure in turns: baseline, Quire, baseline, Quire… */
async function measureRow(plan: RowPlan): Promise<RowOutcome> {
  if (plan.unavailable) return { plan };
  // The measured load, with the row's other load (if any) beside it for as long.
  const run = async (load: Load, beside: Load | undefined, durationSeconds: number) => {
    const [samples] = await Promise.all([runLoad({ ...load, durationSeconds }), beside && runLoad({ ...beside, durationSeconds })]);
    return samples;
  };
  step(`${plan.name}: warm-up`);
  await run(plan.baseline, plan.beside?.baseline, WARMUP_SECONDS);
  await run(plan.quire, plan.beside?.quire, WARMUP_SECONDS);
  const baseline: LoadSamples[] = [];
  const quire: LoadSamples[] = [];
  for (let round = 1; round <= ROUNDS_PER_ROW; round++) {
    step(`${plan.name}: round ${round} of ${ROUNDS_PER_ROW}`);
    baseline.push(await run(plan.baseline, plan.beside?.baseline, plan.baseline.durationSeconds / ROUNDS_PER_ROW));
    quire.push(await run(plan.quire, plan.beside?.quire, plan.quire.durationSeconds / ROUNDS_PER_ROW));
  }
  return { plan, baseline: summarize(baseline), quire: summarize(quire) };
}

interface RunStart {
  at: number;
  loadAverage: number;
  recentDeletion: RecentDeletion | undefined;
}

async function bench(options: BenchOptions, workDir: string, started: RunStart): Promise<string> {
  checkBuilt();
  const postsDir = path.join(workDir, 'posts');
  step(`writing ${options.posts} posts to ${postsDir}`);
  const corpus = writeCorpus(postsDir, options.posts);
  const post = typicalPost(corpus);
  const markdownBytes = corpus.reduce((sum, { bodyBytes }) => sum + bodyBytes, 0);
  const published = corpus.filter((p) => !p.draft);

  step('reindex into an empty index');
  const reindex = await timeReindex(postsDir, path.join(workDir, 'reindex', 'quire.sqlite'), path.join(workDir, 'reindex.log'), options.posts);

  const databasePath = path.join(workDir, 'data', 'quire.sqlite');
  step('first start (empty index: full build)');
  // It listens at once (answering 503 with its progress) and builds the index meanwhile.
  const cold = await startAndReconcile(postsDir, databasePath, path.join(workDir, 'quire-first.log'), options.posts);
  // Its peak is the rebuild's: nothing else has happened in the process yet.
  const coldMemory = memoryOf(cold.server.pid);
  await stop(cold.server);
  step('start after an upgrade that renders every post again');
  const upgrade = await startAfterUpgrade(postsDir, databasePath, path.join(workDir, 'quire-upgrade.log'), options.posts);
  step('next start (up-to-date index)');
  // The loads start once the folder is checked: the server serves before that.
  const warm = await startAndReconcile(postsDir, databasePath, path.join(workDir, 'quire.log'), options.posts);
  const quire = warm.server;

  step('recording what Quire answers, for the baselines');
  const postPath = `/posts/${post.slug}`;
  const reads = await recordReads(quire.url, postPath, BROWSER_ENCODINGS);
  const readBaseline = await startReadBaseline(reads.all, workDir);
  const formBaseline = await startFormBaseline(workDir);
  const endpoints: Endpoints = { quire, readBaseline, formBaseline };

  step('page weight');
  const pageWeight = await measurePageWeight(quire.url, postPath);

  step('signing in for the creates');
  const session = await signIn(quire.url, AUTHOR_PASSWORD);

  const plans: RowPlan[] = [
    ...readPlans(reads, endpoints, options),
    readBesideCrawlerPlan(reads, published.map((p) => p.slug), endpoints, options),
    // Last: creates change the index page, and grow the posts folder.
    readWhilePublishingPlan(reads, session, endpoints, options),
    createPlan('one at a time', session, endpoints, options),
    createPlan('concurrent', session, endpoints, options),
  ];
  const servers = [quire.pid, readBaseline.pid, formBaseline.pid];
  const before = cpuSnapshot(servers);
  const rows: RowOutcome[] = [];
  for (const plan of plans) rows.push(await measureRow(plan));
  const after = cpuSnapshot(servers);
  const memory = memoryOf(quire.pid);

  await Promise.all([stop(quire), stop(readBaseline), stop(formBaseline)]);

  return formatReport({
    header: `Quire benchmark: ${options.posts} posts (${published.length} published, ${(markdownBytes / 1024 / 1024).toFixed(1)} MB of Markdown; `
      + `measured post ${post.slug}, ${(post.bodyBytes / 1024).toFixed(1)} KB), ${options.connections} connections, `
      + `${options.durationSeconds} s per measurement (in ${ROUNDS_PER_ROW} rounds, in turns with the baseline) after ${WARMUP_SECONDS} s of warm-up`,
    command: commandLine(),
    rows,
    reindex,
    coldStart: { listeningMs: cold.listeningMs, reconciledMs: cold.reconciledMs },
    coldPeakBytes: coldMemory?.peakBytes,
    warmStart: { listeningMs: warm.listeningMs, reconciledMs: warm.reconciledMs },
    upgrade,
    memory,
    pageWeight,
    loadAverageAtStart: started.loadAverage,
    recentDeletion: started.recentDeletion,
    othersCpuShare: before && after ? othersShare(before, after) : undefined,
    elapsedMs: performance.now() - started.at,
  });
}

async function main(): Promise<void> {
  const started: RunStart = { at: performance.now(), loadAverage: loadavg()[0] ?? Number.NaN, recentDeletion: recentDeletion() };
  const options = parseOptions(process.argv.slice(2));
  const workDir = mkdtempSync(path.join(tmpdir(), 'quire-bench-'));
  const cleanUp = () => {
    killAll();
    noteDeletion(countFiles(workDir));
    rmSync(workDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      step(`${signal}: stopping`);
      cleanUp();
      process.exit(130);
    });
  }
  try {
    process.stdout.write(`${await bench(options, workDir, started)}\n`);
  } finally {
    cleanUp();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
