/**
 * Crashes (issue 4, item 6): the real server process, writing posts under load, is killed with
 * SIGKILL at random moments, CYCLES times. After each restart (and the reconcile start-up does),
 * every post whose 303 was received is there and readable, the index and the folder agree one to
 * one, and no temp file is listed as a post or left behind.
 *
 * The slowest group of the suite (about half a minute); run it alone with
 *   npx vitest run test/hostile/crash.test.ts
 * The kill moments come from a seeded PRNG: a failure names its seed, and
 *   QUIRE_CRASH_SEED=<seed> npx vitest run test/hostile/crash.test.ts
 * replays the same moments (as far as the machine's timing allows).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  folderListing,
  indexedFiles,
  postOverHttp,
  signInOverHttp,
  slugOf,
  startSite,
  tempSite,
  type AuthorSession,
} from '../helpers/real-site.js';

const CYCLES = 25;
const WRITERS = 4;
// Kill this long after the writers start: long enough for some posts to be acknowledged, short
// enough that most cycles end with writes in flight.
const KILL_AFTER_MS = { min: 20, max: 400 };
// Large enough that writing and fsyncing a post takes a moment to land a kill in.
const POST_BODY_BYTES = 64 * 1024;
const SEED = Number(process.env.QUIRE_CRASH_SEED ?? 4_2026);
const TEMP_FILE = /^\..*\.tmp$/;

const figures = { cycles: 0, acknowledged: 0, lost: 0, tempFilesLeftByKills: 0, unacknowledgedButKept: 0 };
afterAll(() =>
  console.log(
    `[figures] crashes (seed ${SEED}): ${figures.cycles} SIGKILL cycles survived, ${figures.acknowledged} posts acknowledged, ${figures.lost} lost, ` +
      `${figures.tempFilesLeftByKills} temp files left by kills (all cleaned at start-up), ${figures.unacknowledgedButKept} posts kept whole without their 303`,
  ),
);

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bodyFor = (marker: string) => `${'Crash-safe prose, written again and again. '.repeat(POST_BODY_BYTES / 44)}\n\nThe end: ${marker}\n`;

describe('SIGKILL while writing posts', () => {
  it(`loses no acknowledged post across ${CYCLES} kills at random moments`, async () => {
    const random = prng(SEED);
    const site = tempSite('quire-crash-');
    const acknowledged = new Map<string, string>(); // slug → marker at the end of its body
    let session: AuthorSession | undefined;
    let written = 0;

    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      const server = await startSite(site);
      await verify(server, cycle);
      if (cycle === CYCLES) break;

      // Sessions live in the index, so one sign-in lasts across restarts.
      session ??= await signInOverHttp(server.url);
      const author = session;
      const killAfterMs = KILL_AFTER_MS.min + Math.floor(random() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min));
      let alive = true;
      const writer = async () => {
        while (alive) {
          const n = written++;
          const marker = `post-${n}-of-seed-${SEED}`;
          try {
            const res = await postOverHttp(server.url, author, { title: `Crash test post ${n}`, content: bodyFor(marker) }, { multipart: n % 2 === 0 });
            if (res.status === 303) acknowledged.set(slugOf(res), marker);
            else expect.unreachable(`create ${n} answered ${res.status}: ${await res.text()}`);
          } catch (error) {
            if (alive) throw error;
            return; // the kill cut this request off: it was never acknowledged
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, writer);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      alive = false;
      server.child.kill('SIGKILL');
      expect(await server.exited).toBe('SIGKILL');
      await Promise.all(writers);
      figures.cycles++;
      figures.tempFilesLeftByKills += readdirSync(site.postsDir).filter((name) => TEMP_FILE.test(name)).length;
    }
    figures.acknowledged = acknowledged.size;
    expect(figures.cycles).toBe(CYCLES);

    /** After a (re)start: nothing acknowledged is missing, and folder and index agree. */
    async function verify(server: ServerProcess, cycle: number): Promise<void> {
      const context = `cycle ${cycle}, seed ${SEED}`;
      const files = folderListing(site.postsDir);
      expect(files.filter((name) => !name.endsWith('.md') || name.startsWith('.')), `${context}: left behind after start-up`).toEqual([]);
      // Every post in the folder is whole, acknowledged or not: a kill never leaves half a post.
      const cutShort = files.filter((name) => !/The end: post-\d+-of-seed-\d+\n$/.test(readFileSync(path.join(site.postsDir, name), 'utf8')));
      expect(cutShort, `${context}: posts cut short`).toEqual([]);
      const rows = indexedFiles(site.databasePath);
      expect(rows, `${context}: index rows and files differ`).toEqual(files);
      expect(rows.filter((name) => TEMP_FILE.test(name)), context).toEqual([]);

      const lost: string[] = [];
      for (const [slug, marker] of acknowledged) {
        const file = path.join(site.postsDir, `${slug}.md`);
        if (!existsSync(file) || !readFileSync(file, 'utf8').endsWith(`The end: ${marker}\n`)) lost.push(slug);
      }
      figures.lost = Math.max(figures.lost, lost.length);
      expect(lost, `${context}: acknowledged posts missing or cut short on disk`).toEqual([]);

      // Readable over HTTP: every acknowledged post at the end; between cycles, the newest ones
      // and a sample of older ones (reading hundreds each cycle would only add time).
      const slugs = [...acknowledged.keys()];
      const toRead = cycle === CYCLES ? slugs : [...slugs.slice(-12), ...slugs.filter((_, i) => i % 17 === cycle % 17)];
      for (const slug of toRead) {
        const page = await fetch(`${server.url}/posts/${encodeURIComponent(slug)}`);
        const html = await page.text();
        expect(page.status, `${context}: GET /posts/${slug}`).toBe(200);
        expect(html, `${context}: /posts/${slug} cut short`).toContain(acknowledged.get(slug));
        expect(html).toContain('</article>');
      }
      // Posts the kill interrupted after their row was written but before the 303 went out are
      // kept (whole: the index only lists files it read in full); that is allowed.
      if (cycle > 0) figures.unacknowledgedButKept = files.length - acknowledged.size;
    }
  }, 240_000);
});
