import type { Random } from './random.js';

/** Prose, lists, tables and titles for the corpus: the text around the code of a technical post. */

const WORDS = `the a of to and in is that for it with as on be this by are or from at an not but can when
which we you if each one more than into only how what time so some these its about would then also
request response server cache index query page file write read latency throughput memory disk
process thread worker queue buffer stream parser token schema migration transaction lock
snapshot replica shard cluster deploy release version config header cookie session origin
render template compile bundle module import export function closure promise await error retry
timeout budget benchmark profile flame graph allocation garbage collector heap stack frame
slow fast small large cheap costly simple careful naive correct stale fresh durable atomic`.split(/\s+/);

const TERMS = ['fsync', 'ETag', 'p99', 'mmap', 'epoll', 'WAL', 'B-tree', 'UTF-8', 'gzip', 'brotli', 'HTTP/2', 'TLS', 'CSP', 'SQLite'];
const TOPICS = ['Zero-copy parsing', 'Caching HTTP responses', 'Indexing Markdown', 'Profiling Node', 'Tuning SQLite',
  'Writing a lexer', 'Atomic file writes', 'Backpressure in streams', 'Rate limiting', 'Content hashing',
  'Structured logging', 'Graceful shutdown', 'Worker threads', 'Fuzzing parsers', 'Reading flame graphs',
  'Connection pooling', 'Sanitizing HTML', 'Compressing assets', 'Designing slugs', 'Measuring latency'];
const ANGLES = ['in Rust', 'in TypeScript', 'in Go', 'in Python', 'on a small server', 'without a framework',
  'the hard way', 'for a blog', 'at scale', 'by hand', 'in production', 'with SQLite', 'on two cores'];
export const TAGS = ['rust', 'typescript', 'go', 'python', 'node', 'sqlite', 'http', 'performance', 'caching',
  'security', 'databases', 'ops', 'testing', 'css', 'linux', 'architecture', 'parsing', 'compression', 'tooling', 'notes'];

function sentence(random: Random): string {
  const words = Array.from({ length: random.int(7, 22) }, () => {
    const roll = random.next();
    if (roll < 0.04) return `\`${random.pick(TERMS)}\``;
    if (roll < 0.06) return `**${random.pick(WORDS)}**`;
    if (roll < 0.08) return `*${random.pick(WORDS)}*`;
    if (roll < 0.09) return `[${random.pick(WORDS)} ${random.pick(WORDS)}](https://example.com/${random.pick(WORDS)})`;
    return random.pick(WORDS);
  });
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${random.pick(['.', '.', '.', '?'])}`;
}

export function paragraph(random: Random): string {
  return Array.from({ length: random.int(2, 6) }, () => sentence(random)).join(' ');
}

export function heading(random: Random): string {
  return `## ${random.pick(TOPICS)} ${random.pick(['and', 'versus', 'before', 'after'])} ${random.pick(WORDS)}`;
}

export function bulletList(random: Random): string {
  const ordered = random.chance(0.3);
  return Array.from({ length: random.int(3, 7) }, (_, i) => `${ordered ? `${i + 1}.` : '-'} ${sentence(random)}`).join('\n');
}

export function quote(random: Random): string {
  return `> ${sentence(random)} ${sentence(random)}`;
}

/** A GFM table: a few columns, one of them numeric and right-aligned, as in a results post. */
export function table(random: Random): string {
  const columns = random.int(3, 5);
  const header = ['Case', ...Array.from({ length: columns - 2 }, () => random.pick(WORDS)), 'ms'];
  const align = ['---', ...Array.from({ length: columns - 2 }, () => ':---'), '---:'];
  const rows = Array.from({ length: random.int(3, 9) }, () => [
    `${random.pick(WORDS)} ${random.pick(WORDS)}`,
    ...Array.from({ length: columns - 2 }, () => (random.chance(0.3) ? `\`${random.pick(TERMS)}\`` : random.pick(WORDS))),
    (random.next() * 100).toFixed(2),
  ]);
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function title(random: Random): string {
  return `${random.pick(TOPICS)} ${random.pick(ANGLES)}`;
}

export function tags(random: Random): string[] {
  const chosen = new Set<string>();
  const count = random.int(1, 4);
  while (chosen.size < count) chosen.add(random.pick(TAGS));
  return [...chosen];
}
