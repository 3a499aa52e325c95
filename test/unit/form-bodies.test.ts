import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { formBodies, MAX_VISITOR_FORM_BYTES } from '../../src/http/form-bodies.js';

/** formBodies() after a stand-in for `authenticate`: the X-Author header makes the request the author's. */
function appWithFormBodies() {
  const app = express();
  app.use((req, res, next) => {
    res.locals.user = req.headers['x-author'] ? { name: 'Author' } : null;
    next();
  });
  app.use(formBodies());
  app.post('/', (req, res) => res.json({ bytes: String((req.body as { text?: string }).text ?? '').length }));
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.sendStatus(error.status ?? 500);
  });
  return app;
}

describe('formBodies', () => {
  it('reads a post-sized form from the author', async () => {
    const text = 'x'.repeat(2 * 1024 * 1024);
    const res = await request(appWithFormBodies()).post('/').set('X-Author', '1').type('form').send({ text }).expect(200);
    expect(res.body).toEqual({ bytes: text.length });
  });

  it('refuses a visitor’s form beyond the sign-in form’s size with 413, and reads one within it', async () => {
    const app = appWithFormBodies();
    await request(app).post('/').type('form').send({ text: 'x'.repeat(MAX_VISITOR_FORM_BYTES) }).expect(413);
    await request(app).post('/').type('form').send({ text: 'p'.repeat(1024) }).expect(200);
  });
});
