import { describe, expect, it } from 'vitest';
import { inBatches } from '../../src/posts/batches.js';
import type { PlannedFile } from '../../src/posts/reconcile-plan.js';

const file = (name: string, size: number): PlannedFile => ({
  job: { slug: name, fileName: `${name}.md`, path: `/posts/${name}.md`, mtimeMs: 0 },
  stat: { size, mtimeMs: 0 },
  isNew: true,
});
const names = (batches: PlannedFile[][]) => batches.map((batch) => batch.map(({ job }) => job.slug));

describe('batches of planned files', () => {
  it('holds at most the given number of files, in order', () => {
    const files = ['a', 'b', 'c', 'd', 'e'].map((name) => file(name, 10));
    expect(names(inBatches(files, 2, 1000))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('holds at most the given bytes of Markdown, and gives a larger file a batch of its own', () => {
    const files = [file('a', 300), file('b', 300), file('c', 500), file('d', 1500), file('e', 100)];
    expect(names(inBatches(files, 32, 1000))).toEqual([['a', 'b'], ['c'], ['d'], ['e']]);
  });

  it('makes no batch of nothing', () => {
    expect(inBatches([], 32, 1000)).toEqual([]);
  });
});
