import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PROJECT_ROOT } from './paths.js';

/**
 * How Quire's programs are started: `<LAUNCH_ENV> node <NODE_FLAGS> <entry>`. package.json's
 * scripts (`npm start`, `npm run reindex`) and the Dockerfile say it in their own words; the
 * tests and the bench start the programs from these constants, and test/unit/launch.test.ts
 * checks that all of them agree.
 *
 * A young generation of 2 MB a half: V8 let the server's grow to 16 MB a half on the burst of
 * listing a folder of 100,000 posts, and kept it for seconds while the indexing threads ran. A
 * first start on 100,000 posts peaked at 202-218 MB with V8's default, 187 MB with this; the
 * bench's reads and creates were as fast, and the server held 130 MB after them instead of 145.
 */
const SEMI_SPACE_MB = 2;
export const NODE_FLAGS = [`--max-semi-space-size=${SEMI_SPACE_MB}`];

/**
 * The young generation every thread of the process gets: V8 applies `--max-semi-space-size` to
 * each isolate, workers included, and it takes precedence over a Worker's `resourceLimits`
 * (checked on Node 20 and 24: a thread asking for 24 MB got 2 MB semi-spaces all the same). V8
 * counts a young generation as two semi-spaces and a large-object space of the same size.
 */
export const YOUNG_GENERATION_MB = 3 * SEMI_SPACE_MB;

/**
 * How much V8 lets the server's heap grow between full collections, once it serves: by 50%
 * instead of 4× (V8's factor when a heap may reach 2 GB or more). Every page a crawler reads
 * leaves strings and buffers behind, and at 4× they piled up between collections: on 100,000
 * posts, four readers going through 8,000 posts beside a popular post's readers took the server
 * to 235 MB at its peak on Node 24 and 199 MB on Node 20; at 50%, 167-172 and 154 MB, readers
 * as fast. As a launch flag it would govern the indexing threads too, and a first start on
 * 100,000 posts then peaked at 195-198 MB on Node 24 instead of 189; V8 reads it at each
 * collection, so it is set once the start-up rebuild is done and no thread is left.
 */
const SERVING_HEAP_GROWING_PERCENT = 50;
export const tightenHeapGrowthForServing = (): void => setFlagsFromString(`--heap-growing-percent=${SERVING_HEAP_GROWING_PERCENT}`);

/**
 * Two malloc arenas for the whole process. glibc gives every thread that allocates an arena of
 * its own (up to eight per core), and what a thread frees stays in its arena. A first start on
 * 100,000 posts peaked at 227-233 MB instead of 234-254 MB on Node 24 (the Docker image), and at
 * 172 MB instead of 179 MB on Node 20, in the same time; the server held 162-172 MB after a load
 * of reads and creates on Node 24 instead of 179-183 MB.
 */
export const LAUNCH_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/** The environment a program is started with: `env` over LAUNCH_ENV, and only PATH inherited. */
export const launchEnv = (env: Record<string, string>): Record<string, string> => ({ PATH: process.env.PATH ?? '', ...LAUNCH_ENV, ...env });

export const SERVER_ENTRY = path.join(PROJECT_ROOT, 'dist/src/server.js');
export const REINDEX_ENTRY = path.join(PROJECT_ROOT, 'dist/src/reindex.js');
