import { pathToFileURL } from 'node:url';
import { renderMarkdown } from '../../src/markdown/render.js';
import { sanitizeMarkdown } from '../../src/markdown/sanitize-markdown.js';

/**
 * How long one write pays for Markdown: sanitizing the source, then rendering it.
 * A benchmark, not a test: timings depend on the machine, and tests must not flake.
 * Run after a build: `node dist/test/bench/render.js` (target ≈ 2 ms per post to render).
 */

/** A realistic technical post of about 4 KB: prose, lists, a table, three code blocks. */
export const SAMPLE_POST = `# Caching HTTP responses in a small Express app

Most pages on a blog change rarely, yet every request renders them again. This post walks
through **conditional requests** with \`ETag\` and \`Last-Modified\`, and shows where a
cache stops helping. See the [MDN guide](https://developer.mozilla.org/en-US/docs/Web/HTTP/Caching)
for the full story, or RFC 9111 at https://www.rfc-editor.org/rfc/rfc9111.

## What we want

- [x] answer \`304 Not Modified\` when nothing changed
- [x] never serve a stale page after an edit
- [ ] cache rendered fragments in memory
- measure before and after, with *realistic* traffic

> Premature optimisation is the root of all evil — but a missing \`ETag\` is just waste.

## The middleware

\`\`\`ts
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export function etag() {
  return (req: Request, res: Response, next: NextFunction) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body === 'string' && req.method === 'GET') {
        const tag = '"' + createHash('sha1').update(body).digest('base64url') + '"';
        res.setHeader('ETag', tag);
        if (req.headers['if-none-match'] === tag) return res.status(304).end();
      }
      return send(body);
    };
    next();
  };
}
\`\`\`

The hash costs about 20 µs for a 30 KB page, far less than rendering the template.

## Trying it

\`\`\`bash
curl -si http://localhost:3000/posts/caching | grep -i etag
curl -si -H 'If-None-Match: "abc"' http://localhost:3000/posts/caching | head -1
\`\`\`

| Request            | Status | Body   | Time  |
|:-------------------|:------:|-------:|------:|
| first visit        | 200    | 31 KB  | 9 ms  |
| reload, unchanged  | 304    | 0 B    | 2 ms  |
| reload, after edit | 200    | 31 KB  | 9 ms  |

## Configuration

\`\`\`json
{
  "cache": { "maxAgeSeconds": 60, "staleWhileRevalidateSeconds": 300 },
  "etag": "strong"
}
\`\`\`

1. Set \`Cache-Control: no-cache\` on HTML, so browsers revalidate every time.
2. Give static assets a content hash and \`max-age=31536000, immutable\`.
3. Keep <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>R</kbd> in mind when testing.

<details>
<summary>Why not <code>Last-Modified</code> alone?</summary>

It has one-second resolution, and two edits within a second would share it.

</details>

## Invalidation

The store knows when a post changes, so it can bump a version number that feeds the ETag.
That avoids hashing the body at all: the tag is \`"v" + post.version\`, computed before the
template runs, and a \`304\` skips rendering entirely. The catch is that *anything* shown
on the page — the site title, the list of tags, the footer — must feed the version too,
or readers will see an old footer until the next edit. In practice a global \`siteVersion\`
combined with the post's own version covers every case we have met.

\`\`\`ts
function versionTag(site: { version: number }, post: { version: number }): string {
  return \`"s\${site.version}-p\${post.version}"\`;
}

app.get('/posts/:slug', loadPost, (req, res) => {
  const tag = versionTag(res.locals.site, res.locals.post);
  res.setHeader('ETag', tag);
  if (req.fresh) return res.status(304).end();
  res.render('posts/show');
});
\`\`\`

Express's \`req.fresh\` compares \`If-None-Match\` with the response's \`ETag\` for you,
including the weak-comparison rules, so there is no need to parse the header by hand.

## Pitfalls

Compression changes the body, so weak ETags (\`W/"…"\`) are the honest choice behind a
proxy that gzips. And \`Vary: Accept-Encoding\` matters more than you think.

---

Further reading: Mark Nottingham's [Caching Tutorial](https://www.mnot.net/cache_docs/),
the Express docs on [\`res.set\`](https://expressjs.com/en/5x/api.html#res.set), and Jake
Archibald's notes on \`stale-while-revalidate\`, which are the clearest we know.

*Thanks to everyone who read drafts of this post.* Questions? Write to <me@example.com>.
`;

function timePerCall(label: string, fn: () => unknown, iterations: number): void {
  for (let i = 0; i < Math.min(100, iterations); i++) fn(); // warm up the JIT and caches
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / iterations;
  console.log(`${label.padEnd(22)} ${ms.toFixed(3)} ms/post  (${iterations} runs)`);
}

export function main(iterations = 1000): void {
  console.log(`sample post: ${Buffer.byteLength(SAMPLE_POST)} bytes`);
  timePerCall('renderMarkdown', () => renderMarkdown(SAMPLE_POST), iterations);
  timePerCall('sanitizeMarkdown', () => sanitizeMarkdown(SAMPLE_POST), iterations);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
