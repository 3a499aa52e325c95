import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTHOR_PASSWORD, csrfTokenIn, makeTestApp, signedInAgent } from '../helpers/app.js';

async function loginPage(agent: ReturnType<typeof request.agent>) {
  return csrfTokenIn((await agent.get('/login').expect(200)).text);
}

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and lands on the index with the form', async () => {
    const { app } = makeTestApp();
    const agent = request.agent(app);
    const token = await loginPage(agent);
    const res = await agent.post('/login').type('form').send({ password: AUTHOR_PASSWORD, _csrf: token }).expect(303);
    expect(res.headers.location).toBe('/');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('quire_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await agent.get('/').expect(200)).text).toContain('action="/posts"');
  });

  it('marks cookies Secure and __Host- when the site is https', async () => {
    const { app } = makeTestApp({ config: { secureCookies: true, siteUrl: 'https://blog.example' } });
    const agent = request.agent(app);
    const page = await agent.get('/login').expect(200);
    const visitorCookie = (page.headers['set-cookie'] as unknown as string[])[0] ?? '';
    expect(visitorCookie).toMatch(/^__Host-quire_csrf=.*; Secure/);
  });

  it('answers 401 with the form for a wrong password', async () => {
    const { app } = makeTestApp();
    const agent = request.agent(app);
    const token = await loginPage(agent);
    const res = await agent.post('/login').type('form').send({ password: 'wrong', _csrf: token }).expect(401);
    expect(res.text).toContain('That password is not right.');
    expect(res.headers['set-cookie'] ?? []).not.toContainEqual(expect.stringMatching(/^quire_session=/));
  });

  it('answers 403 without a CSRF token', async () => {
    const { app } = makeTestApp();
    await request(app).post('/login').type('form').send({ password: AUTHOR_PASSWORD }).expect(403);
  });

  it('gives a new session id at every sign-in', async () => {
    const { app } = makeTestApp();
    const agent = request.agent(app);
    let token = await loginPage(agent);
    const first = await agent.post('/login').type('form').send({ password: AUTHOR_PASSWORD, _csrf: token });
    await agent.post('/logout').type('form').send({ _csrf: csrfTokenIn((await agent.get('/')).text) });
    token = await loginPage(agent);
    const second = await agent.post('/login').type('form').send({ password: AUTHOR_PASSWORD, _csrf: token });
    const id = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('quire_session='));
    expect(id(first)).toBeDefined();
    expect(id(second)).not.toBe(id(first));
  });

  it('throttles after 10 failures with 429, even with the right password', async () => {
    const { app } = makeTestApp();
    const agent = request.agent(app);
    const token = await loginPage(agent);
    for (let i = 0; i < 10; i++) await agent.post('/login').type('form').send({ password: `wrong ${i}`, _csrf: token }).expect(401);
    const blocked = await agent.post('/login').type('form').send({ password: AUTHOR_PASSWORD, _csrf: token }).expect(429);
    expect(blocked.text).toContain('Too many failed attempts');
  });

  it('does not let X-Forwarded-For dodge the throttle when no proxy is trusted', async () => {
    const { app } = makeTestApp();
    const agent = request.agent(app);
    const token = await loginPage(agent);
    for (let i = 0; i < 10; i++) {
      await agent.post('/login').set('X-Forwarded-For', `10.0.0.${i}`).type('form').send({ password: 'wrong', _csrf: token });
    }
    await agent.post('/login').set('X-Forwarded-For', '10.0.0.99').type('form').send({ password: 'wrong', _csrf: token }).expect(429);
  });

  it('counts per forwarded client when TRUST_PROXY is set', async () => {
    const { app } = makeTestApp({ config: { trustProxy: true } });
    const agent = request.agent(app);
    const token = await loginPage(agent);
    for (let i = 0; i < 10; i++) {
      await agent.post('/login').set('X-Forwarded-For', '203.0.113.1').type('form').send({ password: 'wrong', _csrf: token });
    }
    await agent.post('/login').set('X-Forwarded-For', '203.0.113.1').type('form').send({ password: 'wrong', _csrf: token }).expect(429);
    await agent.post('/login').set('X-Forwarded-For', '203.0.113.2').type('form').send({ password: 'wrong', _csrf: token }).expect(401);
  });

  it('keeps the author signed in across a server restart', async () => {
    const { app, reopen } = makeTestApp();
    const { agent } = await signedInAgent(app);
    const restarted = reopen();
    const cookie = (agent as unknown as { jar: { getCookies(o: object): { toValueString(): string }[] } }).jar
      .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
      .map((c) => c.toValueString())
      .join('; ');
    const res = await request(restarted.app).get('/').set('Cookie', cookie).expect(200);
    expect(res.text).toContain('action="/posts"');
  });
});

describe('POST /logout', () => {
  it('ends the session on the server: the old cookie no longer works', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const before = await agent.get('/');
    const sessionCookie = (before.request as unknown as { cookies: string }).cookies;
    await agent.post('/logout').type('form').send({ _csrf: csrf }).expect(303);
    const replay = await request(app).get('/').set('Cookie', sessionCookie).expect(200);
    expect(replay.text).not.toContain('action="/posts"');
  });

  it('refuses a CSRF token from another session', async () => {
    const { app } = makeTestApp();
    const first = await signedInAgent(app);
    const second = await signedInAgent(app);
    expect(first.csrf).not.toBe(second.csrf);
    await second.agent.post('/logout').type('form').send({ _csrf: first.csrf }).expect(403);
  });
});
