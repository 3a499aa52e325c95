import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordFromFile } from '../../src/posts/record.js';
import { RENDERING_VERSION } from '../../src/posts/rendering-version.js';

// Files that use what the renderer does: a change to any of their rows is a change to what the
// index derives from files, which every row made before must be rendered again for.
const SAMPLES: Record<string, string> = {
  'front-matter.md': '---\ntitle: Zero-copy parsing\ndate: 2026-11-01\ntags: [typescript, binary]\n---\n# Zero-copy parsing\n\nReading **binary** formats without copying a byte.\n',
  'by-hand.md': '```sh\n# install\nnpm ci\n```\n\nIntro.\n\n# Setting up a build\n\nSteps, with `code` and a [link](https://example.com).\n',
  'code-and-tables.md': '## Numbers\n\n| row | req/s |\n|:---|---:|\n| GET / | 44,437 |\n\n```ts\nconst ratio: number = 0.5;\n```\n\n- [x] done\n- [ ] to do\n',
  'images.md': 'Text.\n\n![First](/1.png)\n\n![Second](/2.png)\n\n<img src="/3.png" alt="Raw" loading="eager">\n',
  'hostile.md': '<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n<details><summary>More</summary>\n\nHidden *text*\n\n</details>\n',
  'described.md': '---\ntitle: T\ndescription: Said by the author.\ndraft: true\n---\n你好世界 and words.\n',
};

/** Everything the index keeps from the samples, hashed. */
function derivedFromSamples(): string {
  const rows = Object.entries(SAMPLES).map(([file, text]) => recordFromFile(file.slice(0, -3), file, text, new Date('2026-11-30T00:00:00Z')));
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

describe('RENDERING_VERSION', () => {
  it('is raised whenever what the index derives from a file changes', () => {
    // On a failure: if the change to the rows is meant, raise RENDERING_VERSION (so that every
    // blog renders its posts again at its next start) and record both numbers here.
    expect({ version: RENDERING_VERSION, rows: derivedFromSamples() }).toEqual({
      version: 1,
      rows: 'd5781bb5d959905cfce6ddfe3f699f6b2d380969d081319e6b94be022d947b2a',
    });
  });
});
