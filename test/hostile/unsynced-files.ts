import { randomBytes } from 'node:crypto';
import { link, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileExistsError, type PostFiles } from '../../src/posts/files.js';

/**
 * The store's file seam with the same temp-file-and-link steps as the real one, minus the
 * fsyncs. For the suites that push thousands of hostile inputs through the form: there, two
 * fsyncs per post would be most of the run time, and they prove nothing about input handling.
 * Durability is the crash suite's business, which uses the real `postFiles`.
 */
export const unsyncedFiles: PostFiles = {
  async writeNew(dir, name, text) {
    const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(temp, text, { flag: 'wx', mode: 0o644 });
    try {
      await link(temp, path.join(dir, name));
    } catch (error) {
      if ((error as { code?: string }).code === 'EEXIST') throw new FileExistsError(name);
      throw error;
    } finally {
      await rm(temp, { force: true });
    }
    return stat(path.join(dir, name));
  },
  remove: (dir, name) => rm(path.join(dir, name), { force: true }),
};
