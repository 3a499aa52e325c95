import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { makeTestApp, signedInAgent } from '../helpers/app.js';
import { count, printFigures, tally } from './figures.js';
import { looselyEncoded, multipartBody } from './form-body.js';

/**
 * Path tricks in every place a name can go: the title (which becomes the slug and the file
 * name), the slug in URLs, the uploaded file's name, and static-file URLs. Nothing may be read
 * or written outside POSTS_DIR: the folders around it are filled with secret files before, and
 * snapshotted before and after; every response is searched for the secrets.
 */
const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
const PUBLIC_DIR = path.join(PROJECT_ROOT, 'public');
const PACKAGE_JSON = readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8');

const LONG = 'a'.repeat(10_000);
const TRICKS: readonly string[] = [
  // Parent directories, plain and encoded once, twice, and the overlong-UTF-8 way.
  '..', '../', '../secret', '../../secret.md', '../../../../../../etc/passwd', 'posts/../../secret',
  '..%2fsecret', '..%2f..%2fsecret.md', '%2e%2e', '%2e%2e%2fsecret', '%2e%2e/%2e%2e/etc/passwd', '.%2e/secret',
  '%252e%252e%252fsecret', '..%252fsecret', '..%c0%afsecret', '%c0%ae%c0%ae/secret', '..%u2215secret', '..;/secret',
  // Backslashes (Windows separators) and mixed ones.
  '..\\secret', '..\\..\\secret.md', '..%5csecret', '..\\/secret', '\\\\server\\share\\secret.md',
  // NUL: raw (as a browser never sends it, but a client can) and encoded.
  'secret\u0000.md', 'secret.md\u0000.txt', '%00', 'secret%00.md',
  // Absolute paths and URLs.
  '/etc/passwd', '/etc/passwd.md', 'C:\\Windows\\win.ini', 'C:/Windows/System32/drivers/etc/hosts', 'file:///etc/passwd', '~/.ssh/id_rsa',
  // Very long names.
  LONG, `${LONG}.md`, '../'.repeat(2_000) + 'etc/passwd',
  // Windows reserved names, with and without extensions, any case.
  'CON', 'con', 'NUL.md', 'nul', 'COM1', 'com1.md', 'LPT9', 'AUX.txt', 'PRN', 'CON.md.md',
  // Dots, and names that only look like something.
  '.', '...', '.md', '.hidden', '.secret.md.1a2b3c.tmp', 'secret.md ', 'secret.md.', 'secret.md::$DATA',
  // Unicode look-alikes: fullwidth dots and solidus, one-dot leader, division slash, and an RTL override.
  '．．／．．／secret', '\uFF0E\uFF0E\uFF0Fsecret', '\u2024\u2024/\u2024\u2024/etc/passwd', '..\u2215..\u2215secret', '\u202Edm.terces', 'evil\u202Egpj.md',
  // What else sits near the posts: the index and the project.
  'quire.sqlite', '../data/quire.sqlite', '../../package.json', 'style.css/../../package.json',
];

const STATIC_TRICKS: readonly string[] = [
  '/..%2fpackage.json', '/style.css/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e%2fpackage.json',
  '/..%5cpackage.json', '/.%2e/package.json', '/%252e%252e/package.json', '/../package.json', '/public/../package.json',
  '//etc/passwd', '/\\..\\package.json', '/style.css%00', '/style.css%00.md', '/favicon.svg/..%2f..%2fsrc%2fserver.ts',
  '/%2e%2e/src/server.ts', '/..%252fpackage.json', '/%c0%ae%c0%ae/package.json', '/．．/package.json',
];

// A post file name: a slug (letters of any script, digits, marks, inner hyphens) + .md.
const POST_FILE_NAME = /^[\p{Ll}\p{Lo}\p{Lm}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N}]*(?:-[\p{Ll}\p{Lo}\p{Lm}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N}]*)*\.md$/u;
// A stack trace frame: a "clean" error page never shows one.
const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

const show = (s: string) => JSON.stringify(s.length > 50 ? `${s.slice(0, 50)}…(${s.length})` : s);
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every file under `dir`, with a hash of its bytes: what is there, and what it holds. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full), entry.isFile() ? sha256(full) : `(${entry.isDirectory() ? 'folder' : 'other'})`);
  }
  return files;
}

/**
 * The posts folder among secrets: one beside it, one in the data folder, one in a sibling
 * folder, each holding a random marker that no answer may ever contain.
 */
function plantSecrets(root: string): string[] {
  const markers: string[] = [];
  const plant = (file: string) => {
    const marker = `SECRET-${randomBytes(8).toString('hex')}`;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `---\ntitle: "${marker}"\n---\n${marker}\n`);
    markers.push(marker);
  };
  plant(path.join(root, 'secret'));
  plant(path.join(root, 'secret.md'));
  plant(path.join(root, 'data', 'secret.md'));
  plant(path.join(root, 'other', 'secret.md'));
  return markers;
}

describe('path tricks', () => {
  it('write nothing outside POSTS_DIR and read nothing but posts and public files', async () => {
    const t = makeTestApp();
    const { agent, csrf } = await signedInAgent(t.app);
    const markers = plantSecrets(t.dirs.root);
    const parent = path.dirname(t.dirs.root);
    const parentBefore = new Set(readdirSync(parent));
    const before = snapshot(t.dirs.root);
    const publicBefore = snapshot(PUBLIC_DIR);
    const figures = tally('paths');
    const problems: string[] = [];
    const created = new Set<string>();

    /** An answer may never carry a secret, the project's files, or a stack trace. */
    const checkLeaks = (what: string, body: string) => {
      for (const marker of markers) if (body.includes(marker)) problems.push(`${what}: answered with a secret (${marker})`);
      if (body.includes(PACKAGE_JSON.slice(0, 200))) problems.push(`${what}: answered with package.json`);
      if (/root:.*:0:0:/.test(body)) problems.push(`${what}: answered with /etc/passwd`);
      if (STACK_FRAME.test(body)) problems.push(`${what}: the page shows a stack trace`);
    };

    /** A form post: 303 to a post whose file is <slug>.md in the posts folder, or 400. */
    const post = async (what: string, fields: Record<string, string>, file?: { name: string; text: string }) => {
      const { body, contentType } = multipartBody({ _csrf: csrf, ...fields }, file && { field: 'file', ...file });
      const res = await agent.post('/posts').set('Content-Type', contentType).send(body);
      count(figures, res.status);
      checkLeaks(what, res.text);
      if (res.status === 400) return;
      const location = String(res.headers.location ?? '');
      const slug = decodeURIComponent(location.replace(/^\/posts\//, ''));
      if (res.status !== 303 || !location.startsWith('/posts/') || !POST_FILE_NAME.test(`${slug}.md`)) {
        problems.push(`${what}: ${res.status} to ${show(location)}`);
        return;
      }
      created.add(slug);
      if (!readdirSync(t.dirs.postsDir).includes(`${slug}.md`)) problems.push(`${what}: no file ${slug}.md in the posts folder`);
    };

    /** A GET: a clean 400 or 404; 200 only for a post that exists (by its exact slug) or the index. */
    const get = async (what: string, url: string, allowed: (res: request.Response) => boolean) => {
      const res = await request(t.app).get(url);
      count(figures, res.status);
      checkLeaks(`${what} (${show(url)})`, res.text);
      if (!(res.status === 400 || res.status === 404 || (res.status === 200 && allowed(res)))) {
        problems.push(`${what} ${show(url)}: ${res.status}`);
      }
    };
    const isPost = (url: string) => (res: request.Response) => {
      const slug = /^\/posts\/([^/]*?)(?:\.md)?$/.exec(url)?.[1];
      return slug !== undefined && created.has(decodeURIComponent(slug)) && res.text.length > 0;
    };
    const isIndex = (res: request.Response) => res.text.includes('<h1 class="page-title">Latest posts</h1>');

    for (const [i, trick] of TRICKS.entries()) {
      await post(`title ${show(trick)}`, { title: trick, content: `Body ${i}.`, tags: '' });
      await post(`tags ${show(trick)}`, { title: `Tags ${i}`, content: `Body ${i}.`, tags: trick });
      await post(`upload name ${show(trick)}`, { title: `Upload ${i}`, tags: '' }, { name: trick, text: `# Upload ${i}\n` });
      await post(`upload name ${show(`${trick}.md`)}`, { title: `Upload md ${i}`, tags: '' }, { name: `${trick}.md`, text: `# Upload md ${i}\n` });
      await post(`front-matter title ${show(trick)}`, { title: '', tags: '' }, { name: 'post.md', text: `---\ntitle: ${JSON.stringify(trick)}\nslug: ${JSON.stringify(trick)}\n---\nBody ${i}.\n` });
      for (const encoded of new Set([looselyEncoded(trick), encodeURIComponent(trick)])) {
        await get('slug', `/posts/${encoded}`, isPost(`/posts/${encoded}`));
        await get('source', `/posts/${encoded}.md`, isPost(`/posts/${encoded}.md`));
        await get('static', `/${encoded}`, isIndex);
      }
    }
    for (const url of STATIC_TRICKS) await get('static', url, isIndex);
    printFigures(figures);

    // Controls: the same routes do serve what they should, so the refusals above mean something.
    expect((await request(t.app).get('/favicon.svg')).status).toBe(200);
    const aPost = [...created].find((slug) => slug.startsWith('con'));
    expect(aPost).toBeDefined();
    expect((await request(t.app).get(`/posts/${encodeURIComponent(aPost ?? '')}.md`)).status).toBe(200);

    // Only post files appeared, only in the posts folder, and every one is named <slug>.md.
    const after = snapshot(t.dirs.root);
    const changed = [...after].filter(([name, hash]) => before.get(name) !== hash).map(([name]) => name);
    const vanished = [...before.keys()].filter((name) => !after.has(name));
    const isIndexFile = (name: string) => /^data\/quire\.sqlite(-wal|-shm|-journal)?$/.test(name);
    const isPostFile = (name: string) => path.dirname(name) === 'posts' && POST_FILE_NAME.test(path.basename(name));
    expect(changed.filter((name) => !isIndexFile(name) && !isPostFile(name))).toEqual([]);
    expect(vanished).toEqual([]);
    expect(snapshot(PUBLIC_DIR)).toEqual(publicBefore);
    expect(readdirSync(t.dirs.postsDir).sort()).toEqual([...created].map((slug) => `${slug}.md`).sort());
    // Next to the temp root, other tests make folders of their own: only names these tricks
    // could produce count.
    const trickNames = new Set(TRICKS.flatMap((trick) => trick.split(/[/\\]+/)).filter((name) => name !== '' && !/^\.+$/.test(name)));
    expect(readdirSync(parent).filter((name) => !parentBefore.has(name) && trickNames.has(name))).toEqual([]);
    expect(statSync(t.dirs.root).isDirectory()).toBe(true);
    expect(figures.serverErrors).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);
});
