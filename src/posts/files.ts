import { randomBytes } from 'node:crypto';
import { close, fsync, open, rename, rm, write } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// The callback functions on plain descriptors: fs/promises' FileHandles cost a create 0.2 ms
// more of the main thread's time (measured under the bench's create load).
const openFile = promisify(open);
const writeFile = promisify(write);
const syncFile = promisify(fsync);
const closeFile = promisify(close);
const renameFile = promisify(rename);
const removeFile = promisify(rm);

/**
 * The file operations the store needs, as one seam: tests inject faults here. They run on
 * libuv's threads: an fsync blocks for as long as the disk takes, and done on the main thread,
 * a create's two fsyncs kept every reader waiting (a quarter of a create's time there).
 */
export interface PostFiles {
  /** Writes `text` to `dir/name` so that a crash leaves the old file or the new one, never a part. */
  writeAtomic(dir: string, name: string, text: string): Promise<void>;
  remove(dir: string, name: string): Promise<void>;
}

/** Temp files start with a dot and end in .tmp, so no reader of the folder takes them for posts. */
export const TEMP_FILE = /^\..*\.tmp$/;

export const postFiles: PostFiles = {
  async writeAtomic(dir, name, text) {
    const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = await openFile(temp, 'wx', 0o644);
      try {
        await writeFully(fd, Buffer.from(text, 'utf8'));
        await syncFile(fd);
      } finally {
        await closeFile(fd);
      }
      await renameFile(temp, path.join(dir, name));
    } catch (error) {
      await removeFile(temp, { force: true });
      throw error;
    }
    await syncDirectory(dir);
  },

  async remove(dir, name) {
    await removeFile(path.join(dir, name), { force: true });
    await syncDirectory(dir);
  },
};

/**
 * write(2) may write only part of the buffer without reporting an error: on a nearly full disk
 * it writes what fits and returns the count. Only the next call fails (ENOSPC). Without this loop
 * a truncated post would be renamed into place as if it were whole.
 */
async function writeFully(fd: number, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await writeFile(fd, data, offset, data.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error(`write made no progress at byte ${offset}`), { code: 'EIO' });
    offset += bytesWritten;
  }
}

/** The rename is durable only once the directory entry itself is on disk. */
async function syncDirectory(dir: string): Promise<void> {
  const fd = await openFile(dir, 'r');
  try {
    await syncFile(fd);
  } finally {
    await closeFile(fd);
  }
}
