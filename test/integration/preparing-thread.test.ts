import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UnsafeMarkdownError } from '../../src/markdown/sanitize-markdown.js';
import { preparePost, type PostJob } from '../../src/posts/prepare.js';
import type { PreparingThreadOptions } from '../../src/posts/preparing-thread.js';

// The thread runs the compiled worker (dist/, built by the test setup), as the server does.
const compiled = (file: string) => pathToFileURL(path.resolve(import.meta.dirname, '../../dist/src', file)).href;
const { createPreparingThread } = (await import(compiled('posts/preparing-thread.js'))) as typeof import('../../src/posts/preparing-thread.js');
// Errors made in the compiled modules are of the compiled classes.
const compiledPrepare = (await import(compiled('posts/prepare.js'))) as typeof import('../../src/posts/prepare.js');
const compiledSanitize = (await import(compiled('markdown/sanitize-markdown.js'))) as typeof import('../../src/markdown/sanitize-markdown.js');

const FIXTURE = readFileSync(path.resolve(import.meta.dirname, '../fixtures/posts/typed-arrays.md'), 'utf8');
const job = (content: string, slug = 'a-post'): PostJob => ({ slug, draft: { title: 'A post', content, tags: ['notes'] }, at: '2026-11-30T10:00:00.000Z' });
const TABLE_ROW = '| x | *y* | `z` |\n';
const tableOf = (kilobytes: number) => `| a | b | c |\n|---|---|---|\n${TABLE_ROW.repeat(Math.floor((kilobytes * 1024) / TABLE_ROW.length))}`;

/** A thread that takes every post, however short, unless `options` say otherwise. */
function preparingThread(options: PreparingThreadOptions = {}) {
  const thread = createPreparingThread({ threadContentChars: 0, ...options });
  expect(thread).toBeDefined();
  onTestFinished(() => thread?.close());
  return thread as NonNullable<typeof thread>;
}

describe('the preparing thread', () => {
  it('prepares a post exactly as this thread would: the same file text and the same row', async () => {
    const thread = preparingThread();
    const posts = [job(FIXTURE, 'typed-arrays'), job('Some **text**.'), job('你好，世界', 'ni-hao')];
    const prepared = await Promise.all(posts.map((post) => thread.prepare(post)));
    expect(prepared).toEqual(posts.map((post) => preparePost(post)));
  });

  it('refuses Markdown that cannot be made safe with the error this thread gives, and prepares the next post', async () => {
    const thread = preparingThread();
    // Escaping the tag would free its backtick, which would swallow the code span `x`.
    const unsafe = job("<b onclick='`'>`x`");
    expect(() => preparePost(unsafe)).toThrow(UnsafeMarkdownError);
    const refused = await thread.prepare(unsafe).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(compiledSanitize.UnsafeMarkdownError);
    expect((refused as Error).message).toMatch(/cannot be stored safely/);
    expect((await thread.prepare(job('Fine.'))).record.safeHtml).toContain('Fine.');
  });

  it('refuses a post that needs more memory than the thread may take, and prepares the next post in a new thread', async () => {
    const thread = preparingThread({ heap: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
    const refused = await thread.prepare(job(tableOf(1000))).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(compiledPrepare.PostTooLargeToRenderError);
    expect((refused as Error).message).toContain('more than 24 MB of memory');
    expect((await thread.prepare(job(tableOf(20)))).record.safeHtml).toContain('<table');
  }, 60_000);

  it('prepares a short post at once, without the thread, and a longer one on it', async () => {
    // A thread too small to start: whatever reaches it fails.
    const thread = preparingThread({ threadContentChars: 1000, heap: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } });
    const short = job('x'.repeat(1000));
    expect(await thread.prepare(short)).toEqual(preparePost(short));
    await expect(thread.prepare(job('x'.repeat(1001)))).rejects.toThrow();
  });

  it('ends when idle, and starts again for the next post', async () => {
    const thread = preparingThread({ idleMs: 1 });
    expect((await thread.prepare(job('First.'))).record.safeHtml).toContain('First.');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await thread.prepare(job('Second.'))).record.safeHtml).toContain('Second.');
  });
});
