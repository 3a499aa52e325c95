import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { makeTestApp } from '../helpers/app.js';

describe('error pages', () => {
  it('answers 404 with a human page for an unknown address', async () => {
    const { app } = makeTestApp();
    const res = await request(app).get('/no/such/page').expect(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Page not found');
    expect(res.text).toContain(res.headers['x-request-id'] as string);
  });

  it('answers 400, not 500, for a URL that does not decode', async () => {
    const { app } = makeTestApp();
    const res = await request(app).get('/posts/%E0%A4%A').expect(400);
    expect(res.text).toContain('could not be understood');
  });

  it('answers 415 for a form in a charset it cannot read', async () => {
    const { app } = makeTestApp();
    await request(app).post('/login').set('Content-Type', 'application/x-www-form-urlencoded; charset=koi8-r').send('password=x').expect(415);
  });

  it('logs one line per request, with its id', async () => {
    const { app, log } = makeTestApp();
    const res = await request(app).get('/').expect(200);
    expect(log.lines).toEqual([expect.objectContaining({ level: 'info', id: res.headers['x-request-id'], method: 'GET', path: '/', status: 200 })]);
  });
});

describe('security headers', () => {
  it('lets posts show http: images on an http site, and upgrades them on an https one', async () => {
    const http = makeTestApp();
    const https = makeTestApp({ config: { secureCookies: true, siteUrl: 'https://blog.example' } });
    const httpPolicy = (await request(http.app).get('/')).headers['content-security-policy'] as string;
    const httpsPolicy = (await request(https.app).get('/')).headers['content-security-policy'] as string;
    expect(httpPolicy).toContain("img-src 'self' https: data: http:");
    expect(httpsPolicy).toContain("img-src 'self' https: data:;");
    expect(httpsPolicy).toContain('upgrade-insecure-requests');
  });

  it('sends a strict CSP, nosniff and a referrer policy on every page', async () => {
    const { app } = makeTestApp();
    for (const path of ['/', '/login', '/missing']) {
      const res = await request(app).get(path);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});

describe('GET /healthz', () => {
  it('answers 200 ok while the index answers', async () => {
    const { app } = makeTestApp();
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers 503 when the index is gone', async () => {
    const { app, db } = makeTestApp();
    db.close();
    await request(app).get('/healthz').expect(503);
  });
});
