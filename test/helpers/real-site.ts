import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import { startServer, type ServerProcess } from './server-process.js';

/** The password the real-process tests start the server with. */
export const SITE_PASSWORD = 'a long enough password';

export interface TempSite {
  root: string;
  postsDir: string;
  databasePath: string;
  env: Record<string, string>;
}

/** A temp posts folder and database path for a real server process, removed when the test ends. */
export function tempSite(prefix = 'quire-site-'): TempSite {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const postsDir = path.join(root, 'posts');
  const databasePath = path.join(root, 'data', 'quire.sqlite');
  mkdirSync(postsDir);
  return { root, postsDir, databasePath, env: { POSTS_DIR: postsDir, DATABASE_PATH: databasePath, AUTHOR_PASSWORD: SITE_PASSWORD } };
}

/** Starts `node dist/src/server.js` on the site; the process is killed when the test ends. */
export async function startSite(site: TempSite, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServer({ ...site.env, ...env });
  onTestFinished(() => {
    server.child.kill('SIGKILL');
  });
  return server;
}

export interface AuthorSession {
  /** `name=value` of the session cookie. */
  cookie: string;
  /** The CSRF token of the author's forms. */
  csrf: string;
}

const CSRF_FIELD = /name="_csrf" value="([^"]+)"/;

/** Signs in over real HTTP, as a browser does: the sign-in form, then the post form's token. */
export async function signInOverHttp(url: string, password = SITE_PASSWORD): Promise<AuthorSession> {
  const login = await fetch(`${url}/login`);
  const visitor = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const token = CSRF_FIELD.exec(await login.text())?.[1] ?? '';
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: visitor, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password, _csrf: token }),
  });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const index = await fetch(`${url}/`, { headers: { cookie } });
  const csrf = CSRF_FIELD.exec(await index.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the author’s index page');
  return { cookie, csrf };
}

/** POST /posts as the author: url-encoded, or multipart (as the browser's form sends it). */
export function postOverHttp(
  url: string,
  session: AuthorSession,
  fields: Record<string, string>,
  { multipart = false, signal }: { multipart?: boolean; signal?: AbortSignal } = {},
): Promise<Response> {
  const all = { ...fields, _csrf: session.csrf };
  let body: URLSearchParams | FormData = new URLSearchParams(all);
  if (multipart) {
    body = new FormData();
    for (const [name, value] of Object.entries(all)) body.append(name, value);
  }
  return fetch(`${url}/posts`, { method: 'POST', redirect: 'manual', headers: { cookie: session.cookie }, body, ...(signal ? { signal } : {}) });
}

/** A process's resident memory now and at its peak, in MiB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** Polls `condition` until it holds, or throws after `timeoutMs` with `what` in the message. */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The file names the index lists, read through a read-only connection (WAL lets it run beside the server). */
export function indexedFiles(databasePath: string): string[] {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT file_name FROM posts ORDER BY file_name').pluck().all() as string[]);
  } finally {
    db.close();
  }
}

/** Everything in the posts folder, sorted: posts, and anything that should not be there. */
export function folderListing(postsDir: string): string[] {
  return readdirSync(postsDir).sort();
}

/** The slug a 303 points at. */
export function slugOf(res: Response): string {
  return decodeURIComponent((res.headers.get('location') ?? '').replace(/^\/posts\//, ''));
}

/** The title as a page prints it (EJS escaping). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}
