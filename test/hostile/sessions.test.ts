/**
 * Sessions (issue 4, item 8), beyond what test/integration/auth.test.ts already proves (HttpOnly
 * and SameSite on the session cookie, Secure and __Host- on the visitor cookie with https, a new
 * id at each sign-in after a sign-out, a logged-out cookie showing no form, another session's
 * token refused on /logout, X-Forwarded-For rotation throttled): here the remaining cookie flags,
 * session fixation, what a stolen or replayed cookie can still do, CSRF tokens carried between
 * browsers, other ways to dodge the throttle, and expiry.
 */
import { readdirSync } from 'node:fs';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { SESSION_LIFETIME_MS } from '../../src/auth/sessions.js';
import { aDraft, AUTHOR_PASSWORD, csrfTokenIn, makeTestApp } from '../helpers/app.js';

const figures = { attempts: 0, accepted: 0 };
afterAll(() => console.log(`[figures] sessions: ${figures.attempts} hostile session attempts, ${figures.accepted} accepted`));

type App = ReturnType<typeof makeTestApp>['app'];

function setCookies(res: request.Response): string[] {
  return (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
}

/** The Set-Cookie line for `name`, split into its value and lower-cased attributes. */
function cookie(res: request.Response, name: string) {
  const line = setCookies(res).find((c) => c.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(setCookies(res))}`);
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  const attrs = new Map(attributes.map((a) => [a.split('=')[0]?.toLowerCase() ?? '', a.split('=').slice(1).join('=')]));
  return { value: pair.slice(name.length + 1), pair, attrs };
}

/** Signs in by hand (no cookie jar), optionally carrying a cookie planted beforehand. */
async function signInByHand(app: App, { names = { session: 'quire_session', visitor: 'quire_csrf' }, planted = '' } = {}) {
  const login = await request(app).get('/login').set('Cookie', planted).expect(200);
  const visitor = cookie(login, names.visitor);
  const token = csrfTokenIn(login.text);
  const res = await request(app)
    .post('/login')
    .set('Cookie', [planted, visitor.pair].filter(Boolean).join('; '))
    .type('form')
    .send({ password: AUTHOR_PASSWORD, _csrf: token })
    .expect(303);
  const session = cookie(res, names.session);
  const index = await request(app).get('/').set('Cookie', session.pair).expect(200);
  return { login, visitor, res, session, csrf: csrfTokenIn(index.text) };
}

/** What a request carrying `cookiePair` is treated as: the author (sees the post form) or a visitor. */
async function whoIs(app: App, cookiePair: string): Promise<'author' | 'visitor'> {
  const res = await request(app).get('/').set('Cookie', cookiePair).expect(200);
  return res.text.includes('action="/posts"') ? 'author' : 'visitor';
}

/** A cookie that must not make its bearer the author. */
async function expectVisitor(app: App, cookiePair: string): Promise<void> {
  figures.attempts++;
  const who = await whoIs(app, cookiePair);
  if (who === 'author') figures.accepted++;
  expect(who, cookiePair).toBe('visitor');
}

/** POST /posts with a cookie and a token: the status, and whether anything reached the folder. */
async function tryToPost(app: App, postsDir: string, cookiePair: string, csrf: string) {
  figures.attempts++;
  const res = await request(app).post('/posts').set('Cookie', cookiePair).type('form').send({ ...aDraft({ title: 'Should never be written' }), _csrf: csrf });
  if (res.status < 400) figures.accepted++;
  return { status: res.status, written: readdirSync(postsDir) };
}

describe('session cookie flags', () => {
  it('gives the session cookie Path=/ and a Max-Age equal to the server-side lifetime', async () => {
    const { app } = makeTestApp();
    const { session } = await signInByHand(app);
    expect(session.attrs.get('path')).toBe('/');
    expect(session.attrs.get('max-age')).toBe(String(SESSION_LIFETIME_MS / 1000));
    expect(session.attrs.has('httponly')).toBe(true);
    expect(session.attrs.get('samesite')).toBe('Lax');
    expect(session.attrs.has('domain')).toBe(false);
    expect(session.value).toMatch(/^[\w-]{43}$/);
  });

  it('makes the visitor’s CSRF cookie HttpOnly, SameSite=Lax, Path=/, gone when the browser closes', async () => {
    const { app } = makeTestApp();
    const { visitor } = await signInByHand(app);
    expect(visitor.attrs.has('httponly')).toBe(true);
    expect(visitor.attrs.get('samesite')).toBe('Lax');
    expect(visitor.attrs.get('path')).toBe('/');
    expect(visitor.attrs.has('max-age')).toBe(false);
    expect(visitor.attrs.has('expires')).toBe(false);
  });

  it('with an https SITE_URL, signs in with a Secure __Host- session cookie, and clears both with the same flags', async () => {
    const { app } = makeTestApp({ config: { secureCookies: true, siteUrl: 'https://blog.example' } });
    const names = { session: '__Host-quire_session', visitor: '__Host-quire_csrf' };
    const { res, session, csrf } = await signInByHand(app, { names });
    for (const flags of [session.attrs, cookie(res, names.visitor).attrs]) {
      // __Host- cookies must be Secure, Path=/ and carry no Domain, or browsers drop them.
      expect(flags.has('secure')).toBe(true);
      expect(flags.get('path')).toBe('/');
      expect(flags.has('domain')).toBe(false);
      expect(flags.has('httponly')).toBe(true);
    }
    // Signing in clears the visitor cookie; signing out clears the session: a clearing line
    // without Secure and Path=/ would be ignored by the browser, and the cookie would live on.
    expect(cookie(res, names.visitor).attrs.get('expires')).toMatch(/1970/);
    const out = await request(app).post('/logout').set('Cookie', session.pair).type('form').send({ _csrf: csrf }).expect(303);
    const cleared = cookie(out, names.session);
    expect(cleared.value).toBe('');
    expect(cleared.attrs.get('expires')).toMatch(/1970/);
    expect(cleared.attrs.has('secure')).toBe(true);
    expect(cleared.attrs.get('path')).toBe('/');
  });
});

describe('session fixation', () => {
  it('ignores a session cookie planted before sign-in and issues a fresh id', async () => {
    const { app } = makeTestApp();
    const planted = `quire_session=${'A'.repeat(43)}`;
    const { session } = await signInByHand(app, { planted });
    expect(session.pair).not.toBe(planted);
    await expectVisitor(app, planted);
    expect(await whoIs(app, session.pair)).toBe('author');
  });

  it('ends the session a browser already had when it signs in again, so an old copy of it is worthless', async () => {
    const { app } = makeTestApp();
    const first = await signInByHand(app);
    // Signed in, the browser's forms carry its session's token; it posts the sign-in form again.
    const again = await request(app).post('/login').set('Cookie', first.session.pair).type('form').send({ password: AUTHOR_PASSWORD, _csrf: first.csrf }).expect(303);
    const second = cookie(again, 'quire_session');
    expect(second.value).not.toBe(first.session.value);
    await expectVisitor(app, first.session.pair);
    expect(await whoIs(app, second.pair)).toBe('author');
  });

  it('does not accept what the database stores (the hash) or a cookie one character off', async () => {
    const { app, db } = makeTestApp();
    const { session } = await signInByHand(app);
    const stored = db.prepare('SELECT id_hash FROM sessions').pluck().all() as string[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(session.value);
    await expectVisitor(app, `quire_session=${stored[0]}`);
    const flipped = session.value.slice(0, -1) + (session.value.endsWith('A') ? 'B' : 'A');
    await expectVisitor(app, `quire_session=${flipped}`);
  });
});

describe('after sign-out', () => {
  // auth.test.ts shows the replayed cookie gets no post form; here it also cannot write or sign out.
  it('answers 401 to POST /posts and POST /logout replayed with the old cookie and its token', async () => {
    const { app, dirs } = makeTestApp();
    const { session, csrf } = await signInByHand(app);
    await request(app).post('/logout').set('Cookie', session.pair).type('form').send({ _csrf: csrf }).expect(303);
    expect(await tryToPost(app, dirs.postsDir, session.pair, csrf)).toEqual({ status: 401, written: [] });
    figures.attempts++;
    const replayed = await request(app).post('/logout').set('Cookie', session.pair).type('form').send({ _csrf: csrf });
    if (replayed.status < 400) figures.accepted++;
    expect(replayed.status).toBe(401);
  });
});

describe('CSRF tokens carried between sessions and browsers', () => {
  it('refuses, with 403 and nothing written, a post carrying another session’s token', async () => {
    const { app, dirs } = makeTestApp();
    const first = await signInByHand(app);
    const second = await signInByHand(app);
    expect(await tryToPost(app, dirs.postsDir, second.session.pair, first.csrf)).toEqual({ status: 403, written: [] });
    // The control: the right token from the same session is accepted.
    await request(app).post('/posts').set('Cookie', second.session.pair).type('form').send({ ...aDraft(), _csrf: second.csrf }).expect(303);
  });

  it('refuses a sign-in whose visitor token came from another browser’s cookie', async () => {
    const { app } = makeTestApp();
    const browserA = await request(app).get('/login').expect(200);
    const browserB = await request(app).get('/login').expect(200);
    const tokenA = csrfTokenIn(browserA.text);
    const cookieB = cookie(browserB, 'quire_csrf').pair;
    const signIn = (cookiePair: string, token: string) =>
      request(app).post('/login').set('Cookie', cookiePair).type('form').send({ password: AUTHOR_PASSWORD, _csrf: token });
    for (const foreign of [cookieB, '', `quire_csrf=${'x'.repeat(22)}`]) {
      figures.attempts++;
      const res = await signIn(foreign, tokenA);
      if (res.status < 400) figures.accepted++;
      expect(res.status, foreign).toBe(403);
    }
    // The control: A's own pair signs in.
    expect((await signIn(cookie(browserA, 'quire_csrf').pair, tokenA)).status).toBe(303);
  });
});

describe('sign-in throttling when no proxy is trusted', () => {
  // auth.test.ts rotates X-Forwarded-For; these are the other headers clients use to claim an
  // address, and a fresh browser (new CSRF cookie) for every attempt.
  const SPOOFED_HEADERS = ['X-Real-IP', 'Forwarded', 'X-Client-IP', 'True-Client-IP', 'CF-Connecting-IP', 'X-Forwarded-For'];

  it('counts every failure against the real peer, whatever address headers and cookies claim', async () => {
    const { app } = makeTestApp();
    const attempt = async (i: number, password: string) => {
      const browser = request.agent(app);
      const token = csrfTokenIn((await browser.get('/login')).text);
      const header = SPOOFED_HEADERS[i % SPOOFED_HEADERS.length] ?? 'X-Real-IP';
      const claimed = header === 'Forwarded' ? `for=198.51.100.${i}` : `198.51.100.${i}`;
      return browser.post('/login').set(header, claimed).type('form').send({ password, _csrf: token });
    };
    for (let i = 0; i < 10; i++) {
      figures.attempts++;
      expect((await attempt(i, `wrong ${i}`)).status).toBe(401);
    }
    const blocked = await attempt(10, AUTHOR_PASSWORD);
    figures.attempts++;
    if (blocked.status < 400) figures.accepted++;
    expect(blocked.status).toBe(429);
    expect(setCookies(blocked).some((c) => c.startsWith('quire_session='))).toBe(false);
  });
});

describe('session expiry', () => {
  it('honours a session until its lifetime ends, then treats the cookie as a visitor’s and refuses writes', async () => {
    let now = Date.parse('2026-11-29T10:00:00Z');
    const { app, dirs } = makeTestApp({ clock: () => now });
    const { session, csrf } = await signInByHand(app);
    now += SESSION_LIFETIME_MS - 60_000;
    expect(await whoIs(app, session.pair)).toBe('author');
    now += 60_000;
    await expectVisitor(app, session.pair);
    expect(await tryToPost(app, dirs.postsDir, session.pair, csrf)).toEqual({ status: 401, written: [] });
    // Signing in again works, and purges the expired row.
    const again = await signInByHand(app);
    expect(await whoIs(app, again.session.pair)).toBe('author');
  });

});
