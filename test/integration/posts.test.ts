import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PostTooLargeToRenderError } from '../../src/posts/prepare.js';
import { aDraft, makeTestApp, signedInAgent } from '../helpers/app.js';
import { scriptableParts } from '../helpers/html.js';

describe('GET /', () => {
  it('lists the newest published posts with title, date, tags and excerpt', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md', 'hand-written.md', 'a-draft.md'] });
    const res = await request(app).get('/').expect(200);
    expect(res.text).toContain('Typed arrays in practice');
    expect(res.text).toContain('Notes written by hand');
    expect(res.text).toContain('2 November 2026');
    expect(res.text).toContain('javascript');
    expect(res.text).toContain('Typed arrays give JavaScript contiguous memory.');
    expect(res.text).not.toContain('Not ready yet');
  });

  it('shows no post form to a visitor', async () => {
    const { app } = makeTestApp();
    const res = await request(app).get('/').expect(200);
    expect(res.text).not.toContain('action="/posts"');
    expect(res.text).toContain('href="/login"');
  });

  it('shows the post form to the signed-in author', async () => {
    const { app } = makeTestApp();
    const { agent } = await signedInAgent(app);
    const res = await agent.get('/').expect(200);
    expect(res.text).toContain('action="/posts"');
    expect(res.text).toContain('name="title"');
  });

  it('tells the signed-in author which files in the folder could not be published, and why; readers see none of it', async () => {
    const { app, store, dirs } = makeTestApp({ posts: ['typed-arrays.md'] });
    const file = path.join(dirs.postsDir, 'Broken notes.md');
    writeFileSync(file, '---\ntitle: [unclosed\n---\nBody\n');
    store.reindex();
    const { agent } = await signedInAgent(app);

    const author = await agent.get('/').expect(200);
    expect(author.text).toContain('A file in the posts folder could not be published');
    expect(author.text).toMatch(/<code>Broken notes\.md<\/code>: front matter is not valid YAML/);
    expect((await request(app).get('/').expect(200)).text).not.toContain('Broken notes');

    writeFileSync(file, '---\ntitle: Mended notes\n---\nBody\n');
    store.reindex();
    const mended = await agent.get('/').expect(200);
    expect(mended.text).not.toContain('could not be published');
    expect(mended.text).toContain('Mended notes');
  });

  it('lists the first twenty files that could not be published, and counts the rest', async () => {
    const { app, store, dirs } = makeTestApp();
    for (let i = 10; i < 35; i++) writeFileSync(path.join(dirs.postsDir, `stray-${i}.md`), '---\n- a list\n---\n');
    store.reindex();
    const { agent } = await signedInAgent(app);

    const page = (await agent.get('/').expect(200)).text;
    expect(page).toContain('25 files in the posts folder could not be published');
    expect(page).toContain('<code>stray-29.md</code>');
    expect(page).not.toContain('<code>stray-30.md</code>');
    expect(page).toContain('and 5 more');
  });

  it('pages by ten, newest first, with older and newer links', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    for (let i = 1; i <= 12; i++) {
      await agent.post('/posts').type('form').send({ ...aDraft({ title: `Post number ${i}` }), _csrf: csrf }).expect(303);
    }
    const first = await request(app).get('/').expect(200);
    expect(first.text).toContain('Post number 12');
    expect(first.text).not.toContain('Post number 2<');
    expect(first.text).toContain('href="/?page=2"');
    const second = await request(app).get('/?page=2').expect(200);
    expect(second.text).toContain('Post number 2<');
    expect(second.text).toContain('Post number 1<');
    expect(second.text).not.toContain('href="/?page=3"');
    expect(second.text).toContain('<link rel="canonical" href="http://localhost:3000/?page=2">');
  });

  it('answers 404 past the last page and 400 for a page that is not a number', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    await request(app).get('/?page=2').expect(404);
    await request(app).get('/?page=abc').expect(400);
    await request(app).get('/?page=-1').expect(400);
  });
});

describe('GET /posts/:slug', () => {
  it('shows the title, date, tags, reading time and rendered body', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    const res = await request(app).get('/posts/typed-arrays').expect(200);
    expect(res.text).toContain('<h1');
    expect(res.text).toContain('Typed arrays in practice');
    expect(res.text).toContain('1 min read');
    expect(res.text).toContain('<strong>contiguous memory</strong>');
    expect(res.text).toContain('hljs');
  });

  it('shows a file’s opening heading once, as its title, and excerpts its prose alone', async () => {
    const { app } = makeTestApp({ posts: ['hand-written.md', 'typed-arrays.md'] });
    const page = await request(app).get('/posts/hand-written').expect(200);
    expect(page.text.match(/<h1\b/g)).toHaveLength(1);
    expect(page.text).toMatch(/<h1[^>]*>Notes written by hand<\/h1>/);
    const index = await request(app).get('/').expect(200);
    expect(index.text).toContain('This file has no front matter');
    expect(index.text).not.toMatch(/Notes written by hand\s*This file/);
    // Neither the table's cells nor the code block.
    expect(index.text).not.toContain('Engine Language');
    expect(index.text).toContain('Typed arrays give JavaScript contiguous memory.');
    expect(index.text).not.toContain('new Uint8Array');
  });

  it('names its one URL for search engines, whatever parameters or trailing slash the link had', async () => {
    const { app } = makeTestApp({ posts: ['typed-arrays.md'] });
    const canonical = '<link rel="canonical" href="http://localhost:3000/posts/typed-arrays">';
    for (const url of ['/posts/typed-arrays', '/posts/typed-arrays?fbclid=IwAR0x&utm_source=social', '/posts/typed-arrays/']) {
      const res = await request(app).get(url).expect(200);
      expect(res.text).toContain(canonical);
    }
    const index = await request(app).get('/?utm_source=newsletter').expect(200);
    expect(index.text).toContain('<link rel="canonical" href="http://localhost:3000/">');
    // Error pages are no page's address.
    const missing = await request(app).get('/posts/nope').expect(404);
    expect(missing.text).not.toContain('rel="canonical"');
  });

  it('answers 404 for an unknown slug, a draft, and anything shaped like a path', async () => {
    const { app } = makeTestApp({ posts: ['a-draft.md'] });
    await request(app).get('/posts/nope').expect(404);
    await request(app).get('/posts/a-draft').expect(404);
    await request(app).get('/posts/..%2f..%2fetc%2fpasswd').expect(404);
    await request(app).get('/posts/%2e%2e').expect(404);
  });

  it('never runs what a hand-edited file slips in', async () => {
    const { app } = makeTestApp({ posts: ['hostile.md'] });
    const res = await request(app).get('/posts/hostile').expect(200);
    expect(scriptableParts(res.text)).toEqual([]);
    expect(res.text).toContain('&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;');
  });
});

describe('GET /posts/:slug.md', () => {
  it('serves the Markdown source as text/markdown', async () => {
    const { app, dirs } = makeTestApp({ posts: ['typed-arrays.md'] });
    const res = await request(app).get('/posts/typed-arrays.md').expect(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.text).toBe(readFileSync(path.join(dirs.postsDir, 'typed-arrays.md'), 'utf8'));
  });

  it('answers 404 for an unknown post', async () => {
    const { app } = makeTestApp();
    await request(app).get('/posts/nope.md').expect(404);
  });
});

describe('POST /posts', () => {
  it('stores the post as posts/<slug>.md and answers 303 to it', async () => {
    const { app, dirs } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const res = await agent.post('/posts').type('form').send({ ...aDraft(), _csrf: csrf }).expect(303);
    expect(res.headers.location).toBe('/posts/zero-copy-parsing-in-typescript');

    const file = readFileSync(path.join(dirs.postsDir, 'zero-copy-parsing-in-typescript.md'), 'utf8');
    expect(file).toMatch(/^---\ntitle: "Zero-copy parsing in TypeScript"\ndate: \d{4}-\d\d-\d\dT[\d:.]+Z\n/);
    expect(file).toContain('tags: ["typescript", "performance"]');
    expect(file).toContain('```ts\nconst x: number = 1;\n```');

    const page = await request(app).get('/posts/zero-copy-parsing-in-typescript').expect(200);
    expect(page.text).toContain('Zero-copy parsing in TypeScript');
    expect(page.text).toContain('href="https://example.com"');
    const index = await request(app).get('/').expect(200);
    expect(index.text).toContain('/posts/zero-copy-parsing-in-typescript');
  });

  it('gives a second post with the same title a -2 slug', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    await agent.post('/posts').type('form').send({ ...aDraft(), _csrf: csrf }).expect(303);
    const res = await agent.post('/posts').type('form').send({ ...aDraft(), _csrf: csrf }).expect(303);
    expect(res.headers.location).toBe('/posts/zero-copy-parsing-in-typescript-2');
  });

  it('keeps a Chinese title readable in the slug', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const res = await agent.post('/posts').type('form').send({ ...aDraft({ title: '你好，世界' }), _csrf: csrf }).expect(303);
    expect(res.headers.location).toBe(`/posts/${encodeURIComponent('你好-世界')}`);
    await request(app).get(res.headers.location as string).expect(200);
  });

  it('never writes outside the posts folder, whatever the title', async () => {
    const { app, dirs } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const res = await agent.post('/posts').type('form').send({ ...aDraft({ title: '../../etc/passwd' }), _csrf: csrf }).expect(303);
    expect(res.headers.location).toBe('/posts/etc-passwd');
    expect(readdirSync(dirs.postsDir)).toEqual(['etc-passwd.md']);
    expect(existsSync(path.join(dirs.root, 'etc'))).toBe(false);
  });

  it('answers 400 and keeps the text when the title is empty', async () => {
    const { app, dirs } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const content = 'Every character I typed, <kept> & "quoted".';
    const res = await agent.post('/posts').type('form').send({ ...aDraft({ title: '   ', content }), _csrf: csrf }).expect(400);
    expect(res.text).toContain('Give the post a title.');
    expect(res.text).toContain('Every character I typed, &lt;kept&gt; &amp; &#34;quoted&#34;.');
    expect(readdirSync(dirs.postsDir)).toEqual([]);
  });

  it('answers 400 and keeps all 2 MB when the content is too long', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const content = 'x'.repeat(2 * 1024 * 1024 - 1) + 'Z';
    const res = await agent.post('/posts').type('form').send({ ...aDraft({ content }), _csrf: csrf }).expect(400);
    expect(res.text).toContain('a post can be at most 1 MB');
    expect(res.text).toContain(`${'x'.repeat(1000)}`);
    expect(res.text).toContain('xZ</textarea>');
  });

  it('answers 400 for too many or too long tags', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const many = Array.from({ length: 11 }, (_, i) => `tag${i}`).join(',');
    const res = await agent.post('/posts').type('form').send({ ...aDraft({ tags: many }), _csrf: csrf }).expect(400);
    expect(res.text).toContain('Use at most 10 tags.');
    // A summary at the top of the form links to each field with a problem.
    expect(res.text).toContain('Nothing was published: one field needs attention.');
    expect(res.text).toContain('<a href="#tags">Use at most 10 tags.</a>');
    const long = await agent.post('/posts').type('form').send({ ...aDraft({ tags: 'x'.repeat(41) }), _csrf: csrf }).expect(400);
    expect(long.text).toContain('Keep each tag to 40 characters');
  });

  it('answers 413 with a page when the request itself is too large', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const res = await agent.post('/posts').type('form').send({ ...aDraft({ content: 'x'.repeat(9 * 1024 * 1024) }), _csrf: csrf });
    expect(res.status).toBe(413);
    expect(res.text).toContain('too large');
  });

  it('answers 413 and keeps the text when the post needs more memory to render than it may take', async () => {
    const { app, dirs } = makeTestApp({ prepare: () => Promise.reject(new PostTooLargeToRenderError(1024)) });
    const { agent, csrf } = await signedInAgent(app);
    const res = await agent.post('/posts').type('form').send({ ...aDraft({ content: 'A table of a million cells, <kept>.' }), _csrf: csrf });
    expect(res.status).toBe(413);
    expect(res.text).toContain('needs more than 1024 MB of memory to render, so it was not published');
    expect(res.text).toContain('A table of a million cells, &lt;kept&gt;.');
    expect(readdirSync(dirs.postsDir)).toEqual([]);
  });

  it('stores Markdown with its dangerous parts neutralised', async () => {
    const { app, dirs } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const content = 'Hi <img src=x onerror=alert(1)> and [x](javascript:alert(2))\n\n```html\n<script>kept as code</script>\n```\n';
    const res = await agent.post('/posts').type('form').send({ ...aDraft({ title: 'Hostile', content }), _csrf: csrf }).expect(303);
    const file = readFileSync(path.join(dirs.postsDir, 'hostile.md'), 'utf8');
    expect(file).not.toMatch(/<img src=x onerror/);
    expect(file).toContain('<script>kept as code</script>');
    const page = await request(app).get(res.headers.location as string).expect(200);
    expect(scriptableParts(page.text)).toEqual([]);
    // The code block shows the tag as text (highlighted), escaped.
    const code = /<code class="hljs language-html">([\s\S]*?)<\/code>/.exec(page.text)?.[1] ?? '';
    expect(code.replace(/<[^>]+>/g, '')).toBe('&lt;script&gt;kept as code&lt;/script&gt;\n');
  });
});

describe('POST /posts with multipart/form-data', () => {
  it('takes the typed fields without a file', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const res = await agent.post('/posts').field('_csrf', csrf).field('title', 'Typed in the form').field('content', 'Body **here**').field('tags', 'a, b').expect(303);
    expect(res.headers.location).toBe('/posts/typed-in-the-form');
  });

  it('fills the post from an uploaded .md file and its front matter', async () => {
    const { app, dirs } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const upload = '---\ntitle: "From a file"\ntags: [upload, markdown]\nseries: "Notes"\n---\nUploaded **body**.\n';
    const res = await agent
      .post('/posts')
      .field('_csrf', csrf)
      .field('title', '')
      .field('content', '')
      .field('tags', '')
      .attach('file', Buffer.from(upload), { filename: 'notes.md', contentType: 'text/markdown' })
      .expect(303);
    expect(res.headers.location).toBe('/posts/from-a-file');
    const file = readFileSync(path.join(dirs.postsDir, 'from-a-file.md'), 'utf8');
    expect(file).toContain('tags: ["upload", "markdown"]');
    expect(file).toContain('series: Notes');
    expect(file).toContain('Uploaded **body**.');
    const page = await request(app).get('/posts/from-a-file').expect(200);
    expect(page.text).toContain('<strong>body</strong>');
  });

  it('answers 400 with the form kept for a binary file named .md', async () => {
    const { app, dirs } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const res = await agent
      .post('/posts')
      .field('_csrf', csrf)
      .field('title', 'My binary')
      .field('content', '')
      .attach('file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]), { filename: 'image.md' })
      .expect(400);
    expect(res.text).toContain('Is it really a Markdown file?');
    expect(res.text).toContain('value="My binary"');
    expect(readdirSync(dirs.postsDir)).toEqual([]);
  });

  it('answers 400 for a file that is not .md, and for a file beside typed content', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    const wrongName = await agent.post('/posts').field('_csrf', csrf).field('title', 'T').attach('file', Buffer.from('# hi'), { filename: 'notes.exe' }).expect(400);
    expect(wrongName.text).toContain('must be a Markdown file');
    const both = await agent.post('/posts').field('_csrf', csrf).field('title', 'T').field('content', 'typed').attach('file', Buffer.from('# hi'), { filename: 'n.md' }).expect(400);
    expect(both.text).toContain('not both');
    expect(both.text).toContain('>typed</textarea>');
  });

  it('answers 413 for a file over 8 MB, and 400 for a file in another field', async () => {
    const { app } = makeTestApp();
    const { agent, csrf } = await signedInAgent(app);
    await agent.post('/posts').field('_csrf', csrf).field('title', 'T').attach('file', Buffer.alloc(9 * 1024 * 1024, 97), { filename: 'big.md' }).expect(413);
    await agent.post('/posts').field('_csrf', csrf).field('title', 'T').attach('other', Buffer.from('x'), { filename: 'x.md' }).expect(400);
  });

  it('answers 400 for a malformed multipart body', async () => {
    const { app } = makeTestApp();
    const { agent } = await signedInAgent(app);
    await agent
      .post('/posts')
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send('--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nunterminated')
      .expect(400);
  });
});
