import { describe, expect, it } from 'vitest';
import { preparePost, prepareInThisThread, type PostJob } from '../../src/posts/prepare.js';

const job: PostJob = {
  slug: 'a-post',
  draft: { title: 'A post', content: 'Some **text**, and code:\n\n```js\nconst x = 1;\n```\n', tags: ['notes'] },
  at: '2026-11-30T10:00:00.000Z',
};

describe('preparing a post on the thread that answers readers', () => {
  it('gives the file text and the row that preparing it in one go gives', async () => {
    expect(await prepareInThisThread(job)).toEqual(preparePost(job));
  });

  it('lets work waiting for the thread (a reader’s request) run between its steps', async () => {
    const order: string[] = [];
    const preparing = prepareInThisThread(job).then(() => order.push('post prepared'));
    setImmediate(() => order.push('reader answered'));
    await preparing;
    expect(order).toEqual(['reader answered', 'post prepared']);
  });
});
