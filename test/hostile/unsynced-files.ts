import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PostFiles } from '../../src/posts/files.js';

/**
 * The store's file seam with the same temp-file-and-rename steps as the real one, minus the
 * fsyncs. For the suites that push thousands of hostile inputs through the form: there, two
 * fsyncs per post would be most of the run time, and they prove nothing about input handling.
 * Durability is the crash suite's business, which uses the real `postFiles`.
 */
export const unsyncedFiles: PostFiles = {
  async writeAtomic(dir, name, text) {
    const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(temp, text, { flag: 'wx', mode: 0o644 });
    await rename(temp, path.join(dir, name));
  },
  remove: (dir, name) => rm(path.join(dir, name), { force: true }),
};
