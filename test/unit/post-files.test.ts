import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostFiles, FileExistsError, postFiles, type LinkFile, type PostFiles } from '../../src/posts/files.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function aFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'quire-files-'));
  dirs.push(dir);
  return dir;
}

/** A file written by hand under the name: `writeNew` says so, and leaves it and nothing else. */
async function expectFileAlreadyThereKept(files: PostFiles) {
  const dir = aFolder();
  writeFileSync(path.join(dir, 'a-post.md'), 'written by hand');
  await expect(files.writeNew(dir, 'a-post.md', 'new text')).rejects.toBeInstanceOf(FileExistsError);
  expect(readdirSync(dir)).toEqual(['a-post.md']);
  expect(readFileSync(path.join(dir, 'a-post.md'), 'utf8')).toBe('written by hand');
}

const failingWith = (code: string): LinkFile => async () => {
  throw Object.assign(new Error(`${code}: injected by the test`), { code });
};

describe('PostFiles.writeNew', () => {
  it('writes the text whole, leaves no temp file, and answers the size and time the file has', async () => {
    const dir = aFolder();
    const written = await postFiles.writeNew(dir, 'a-post.md', 'Héllo\n');
    expect(readdirSync(dir)).toEqual(['a-post.md']);
    expect(readFileSync(path.join(dir, 'a-post.md'), 'utf8')).toBe('Héllo\n');
    const stat = statSync(path.join(dir, 'a-post.md'));
    expect(written).toEqual({ size: stat.size, mtimeMs: stat.mtimeMs });
  });

  it('never replaces a file already there: it says so and leaves nothing of its own', async () => {
    await expectFileAlreadyThereKept(postFiles);
  });

  describe('on a file system without hard links (FAT, some network shares)', () => {
    const files = createPostFiles(failingWith('EPERM'));

    it('still writes a new file', async () => {
      const dir = aFolder();
      await files.writeNew(dir, 'a-post.md', 'text');
      expect(readdirSync(dir)).toEqual(['a-post.md']);
      expect(readFileSync(path.join(dir, 'a-post.md'), 'utf8')).toBe('text');
    });

    it('still refuses to replace a file already there', async () => {
      await expectFileAlreadyThereKept(files);
    });
  });

  it('passes on any other failure of the link, leaving no temp file', async () => {
    const dir = aFolder();
    await expect(createPostFiles(failingWith('EIO')).writeNew(dir, 'a-post.md', 'text')).rejects.toMatchObject({ code: 'EIO' });
    expect(readdirSync(dir)).toEqual([]);
  });
});
