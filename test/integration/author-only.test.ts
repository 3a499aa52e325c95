import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { aDraft, makeTestApp, signedInAgent } from '../helpers/app.js';

/** Every route that changes state. Each must refuse a visitor, and a signed-in request without its CSRF token. */
const AUTHOR_ONLY_ROUTES = [
  { method: 'post', path: '/posts', body: aDraft() },
  { method: 'post', path: '/logout', body: {} },
] as const;

describe.each(AUTHOR_ONLY_ROUTES)('$method $path', ({ path, body }) => {
  it('answers 401 with a page to a visitor', async () => {
    const { app } = makeTestApp();
    const res = await request(app).post(path).type('form').send(body).expect(401);
    expect(res.text).toContain('Please sign in');
  });

  it('answers 403 to the author without a CSRF token', async () => {
    const { app } = makeTestApp();
    const { agent } = await signedInAgent(app);
    const res = await agent.post(path).type('form').send(body).expect(403);
    expect(res.text).toContain('That form has expired');
  });

  it('answers 403 to the author with a forged CSRF token', async () => {
    const { app } = makeTestApp();
    const { agent } = await signedInAgent(app);
    await agent.post(path).type('form').send({ ...body, _csrf: 'forged' }).expect(403);
  });
});

describe('the author-only table', () => {
  it('covers every POST route in the app', async () => {
    const { app } = makeTestApp();
    // Any POST route not in the table is found by asking: a visitor must never get a 2xx/3xx.
    for (const path of ['/posts', '/logout', '/login']) {
      const res = await request(app).post(path).type('form').send({});
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    expect(AUTHOR_ONLY_ROUTES.map((r) => r.path)).toEqual(['/posts', '/logout']);
  });
});
