import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import request from 'supertest';
import { onTestFinished } from 'vitest';
import { createApp } from '../../src/app.js';
import { createSessionStore } from '../../src/auth/sessions.js';
import { createThrottle } from '../../src/auth/throttle.js';
import type { Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/open.js';
import { getOrCreateSecret } from '../../src/db/settings.js';
import { loadAssets } from '../../src/http/assets.js';
import { createMemoryLogger } from '../../src/http/log.js';
import { PUBLIC_DIR } from '../../src/paths.js';
import type { PostFiles } from '../../src/posts/files.js';
import type { PostPreparer } from '../../src/posts/prepare.js';
import { createPostStore } from '../../src/posts/store.js';

export const AUTHOR_PASSWORD = 'correct horse battery staple';
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../fixtures');

export interface TestAppOptions {
  config?: Partial<Config>;
  /** Fixture .md files (names in test/fixtures/posts) copied into the posts folder first. */
  posts?: string[];
  files?: PostFiles;
  /** Where new posts are rendered (this thread when absent). */
  prepare?: PostPreparer;
  /** The sessions' clock (unix ms), to move time past a session's expiry. */
  clock?: () => number;
}

/**
 * A real app on a temp posts folder and a temp SQLite file, removed when the test ends.
 * Open the same folders again with `reopen()` to act as a restarted server.
 */
export function makeTestApp(options: TestAppOptions = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'quire-test-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const postsDir = path.join(root, 'posts');
  const databasePath = path.join(root, 'data', 'quire.sqlite');
  mkdirSync(postsDir);
  for (const name of options.posts ?? []) cpSync(path.join(FIXTURES_DIR, 'posts', name), path.join(postsDir, name));

  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    postsDir,
    databasePath,
    authorPassword: AUTHOR_PASSWORD,
    siteTitle: 'Test Blog',
    siteUrl: 'http://localhost:3000',
    trustProxy: false,
    secureCookies: false,
    ...options.config,
  };

  const open = () => {
    const db: Database = openDatabase(databasePath);
    onTestFinished(() => {
      db.close();
    });
    const store = createPostStore({ db, postsDir, ...(options.files ? { files: options.files } : {}), ...(options.prepare ? { prepare: options.prepare } : {}) });
    store.reindex();
    const log = createMemoryLogger();
    const app = createApp({
      config,
      store,
      sessions: createSessionStore(db, options.clock),
      csrfKey: getOrCreateSecret(db, 'csrf_key'),
      authorPassword: AUTHOR_PASSWORD,
      assets: loadAssets(PUBLIC_DIR),
      log,
      throttle: createThrottle(),
    });
    return { app, db, store, log };
  };

  return { ...open(), config, dirs: { root, postsDir, databasePath }, reopen: open };
}

/**
 * Drops into the posts folder a file that cannot be published (its front matter is not YAML)
 * and reindexes, so that the author's index lists it. Not a fixture: every fixture parses.
 */
export function addUnpublishableFile({ store, dirs }: Pick<ReturnType<typeof makeTestApp>, 'store' | 'dirs'>): void {
  writeFileSync(path.join(dirs.postsDir, 'broken-front-matter.md'), '---\ntitle: [an unclosed list\n---\nNever published.\n');
  store.reindex();
}

/** The value of the first `_csrf` hidden field in a page. */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!match?.[1]) throw new Error('no _csrf field on the page');
  return match[1];
}

/** A supertest agent signed in as the author, with the CSRF token its forms carry. */
export async function signedInAgent(app: Parameters<typeof request.agent>[0], password = AUTHOR_PASSWORD) {
  const agent = request.agent(app);
  const login = await agent.get('/login');
  const signIn = await agent.post('/login').type('form').send({ password, _csrf: csrfTokenIn(login.text) });
  if (signIn.status !== 303) throw new Error(`sign-in failed with ${signIn.status}`);
  const index = await agent.get('/');
  return { agent, csrf: csrfTokenIn(index.text) };
}

/** A valid post form, with overrides: `aDraft({ title: '' })`. */
export function aDraft(overrides: Partial<Record<'title' | 'content' | 'tags', string>> = {}) {
  return {
    title: 'Zero-copy parsing in TypeScript',
    content: '# Hello\n\nSome `code` and a [link](https://example.com).\n\n```ts\nconst x: number = 1;\n```\n',
    tags: 'typescript, performance',
    ...overrides,
  };
}
