/** The flags of `npm run bench`, with the defaults that keep a run under five minutes on two cores. */
export interface BenchOptions {
  posts: number;
  durationSeconds: number;
  connections: number;
}

export const DEFAULT_POSTS = 1000;
export const DEFAULT_DURATION_SECONDS = 5;
// The measurements were taken at 32 connections; the targets are stated there.
export const DEFAULT_CONNECTIONS = 32;

const FLAGS = {
  '--posts': 'posts',
  '--duration': 'durationSeconds',
  '--connections': 'connections',
} as const satisfies Record<string, keyof BenchOptions>;

export const USAGE = 'usage: npm run bench -- [--posts N] [--duration SECONDS] [--connections C]';

/** Reads `--flag value` and `--flag=value`; anything else is a mistake worth stopping for. */
export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    posts: DEFAULT_POSTS,
    durationSeconds: DEFAULT_DURATION_SECONDS,
    connections: DEFAULT_CONNECTIONS,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag = '', inline] = (argv[i] ?? '').split('=', 2);
    if (!(flag in FLAGS)) throw new Error(`unknown flag ${flag}\n${USAGE}`);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number\n${USAGE}`);
    const key = FLAGS[flag as keyof typeof FLAGS];
    // Post and connection counts are whole numbers; a duration may be fractional (0.5 s for a smoke run).
    options[key] = key === 'durationSeconds' ? value : Math.round(value);
  }
  return options;
}
