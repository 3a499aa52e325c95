import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { codeBlock } from './corpus-code.js';
import { bulletList, heading, paragraph, quote, table, tags, title } from './corpus-text.js';
import { seededRandom, type Random } from './random.js';

/**
 * A realistic blog for the bench: posts of 1–12 KB of Markdown with code in several languages,
 * tables, lists and long reads, written as `<slug>.md` files with front matter, the way Quire
 * stores them. Deterministic: the same seed gives the same files, byte for byte.
 */
export interface CorpusPost {
  slug: string;
  bodyBytes: number;
  draft: boolean;
}

const CORPUS_SEED = 0x5eedb10c;
const MIN_BODY_BYTES = 1024;
const MAX_BODY_BYTES = 12 * 1024;
// Lengths are skewed toward short posts (a uniform draw raised to this power): the median lands
// near 4 KB, with a tail of long reads up to the maximum.
const LENGTH_SKEW = 1.6;
const DRAFT_PROBABILITY = 0.02;
const NEWEST_POST_MS = Date.UTC(2026, 10, 28, 9, 0, 0);
const MAX_HOURS_BETWEEN_POSTS = 72;
const HOUR_MS = 3_600_000;

/** The kinds of block a post is made of, with how often each follows the previous one. */
const BLOCKS: [weight: number, make: (random: Random) => string][] = [
  [45, paragraph],
  [12, heading],
  [18, (random) => codeBlock(random)],
  [10, bulletList],
  [8, table],
  [7, quote],
];
const TOTAL_WEIGHT = BLOCKS.reduce((sum, [weight]) => sum + weight, 0);

function nextBlock(random: Random): string {
  let roll = random.next() * TOTAL_WEIGHT;
  for (const [weight, make] of BLOCKS) {
    roll -= weight;
    if (roll < 0) return make(random);
  }
  return paragraph(random);
}

/** A Markdown body of about `targetBytes`: an introduction, then a mix of blocks. */
export function postBody(random: Random, targetBytes: number): string {
  const blocks = [paragraph(random), paragraph(random)];
  let bytes = blocks.join('\n\n').length;
  while (bytes < targetBytes) {
    const block = nextBlock(random);
    // Two headings in a row read like a table of contents, not a post.
    if (block.startsWith('## ') && blocks.at(-1)?.startsWith('## ')) continue;
    blocks.push(block);
    bytes += block.length + 2;
  }
  if (blocks.at(-1)?.startsWith('## ')) blocks.push(paragraph(random));
  return `${blocks.join('\n\n')}\n`;
}

function slugOf(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Writes `count` posts into `dir` (created if needed) and returns what the bench needs to know of them. */
export function writeCorpus(dir: string, count: number): CorpusPost[] {
  mkdirSync(dir, { recursive: true });
  const random = seededRandom(CORPUS_SEED);
  const titlesUsed = new Map<string, number>();
  const posts: CorpusPost[] = [];
  let dateMs = NEWEST_POST_MS;
  for (let i = 0; i < count; i++) {
    // Titles repeat across a large corpus; a series gets "part N", as blogs do.
    const base = title(random);
    const seen = (titlesUsed.get(base) ?? 0) + 1;
    titlesUsed.set(base, seen);
    const postTitle = seen === 1 ? base : `${base}, part ${seen}`;
    const slug = slugOf(postTitle);
    const bodyBytes = Math.round(MIN_BODY_BYTES + (MAX_BODY_BYTES - MIN_BODY_BYTES) * random.next() ** LENGTH_SKEW);
    const body = postBody(random, bodyBytes);
    const draft = random.chance(DRAFT_PROBABILITY);
    const date = new Date(dateMs).toISOString();
    dateMs -= random.int(1, MAX_HOURS_BETWEEN_POSTS) * HOUR_MS;
    const frontMatter = [
      '---',
      `title: ${JSON.stringify(postTitle)}`,
      `date: ${date}`,
      `updated: ${date}`,
      `tags: [${tags(random).join(', ')}]`,
      `draft: ${draft}`,
      '---',
    ].join('\n');
    writeFileSync(path.join(dir, `${slug}.md`), `${frontMatter}\n${body}`);
    posts.push({ slug, bodyBytes: body.length, draft });
  }
  return posts;
}

/** The published post of median length: the page a typical reader opens. */
export function typicalPost(posts: CorpusPost[]): CorpusPost {
  const published = posts.filter((post) => !post.draft).sort((a, b) => a.bodyBytes - b.bodyBytes);
  const median = published[Math.floor(published.length / 2)];
  if (!median) throw new Error('the corpus has no published post');
  return median;
}

/** The Markdown of the posts the create measurement submits: a typical 4 KB post. */
export const CREATE_BODY_BYTES = 4096;
export function createdPostBody(): string {
  return postBody(seededRandom(CORPUS_SEED + 1), CREATE_BODY_BYTES);
}
