import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** The file operations the store needs, as one seam: tests inject faults here. */
export interface PostFiles {
  /** Writes `text` to `dir/name` so that a crash leaves the old file or the new one, never a part. */
  writeAtomic(dir: string, name: string, text: string): void;
  remove(dir: string, name: string): void;
}

/** Temp files start with a dot and end in .tmp, so no reader of the folder takes them for posts. */
export const TEMP_FILE = /^\..*\.tmp$/;

export const postFiles: PostFiles = {
  writeAtomic(dir, name, text) {
    const target = path.join(dir, name);
    const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = openSync(temp, 'wx', 0o644);
      try {
        writeFully(fd, Buffer.from(text, 'utf8'));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    syncDirectory(dir);
  },

  remove(dir, name) {
    rmSync(path.join(dir, name), { force: true });
    syncDirectory(dir);
  },
};

/**
 * write(2) may write only part of the buffer without reporting an error: on a nearly full disk
 * it writes what fits and returns the count. Only the next call fails (ENOSPC). Without this loop
 * a truncated post would be renamed into place as if it were whole.
 */
function writeFully(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length; ) {
    const written = writeSync(fd, data, offset, data.length - offset);
    if (written <= 0) throw Object.assign(new Error(`write made no progress at byte ${offset}`), { code: 'EIO' });
    offset += written;
  }
}

/** The rename is durable only once the directory entry itself is on disk. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
