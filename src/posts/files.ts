import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** The file operations the store needs, as one seam: tests inject faults here. */
export interface PostFiles {
  /** Writes `text` to `dir/name` so that a crash leaves the old file or the new one, never a part. */
  writeAtomic(dir: string, name: string, text: string): Promise<void>;
  remove(dir: string, name: string): Promise<void>;
}

/** Temp files start with a dot and end in .tmp, so no reader of the folder takes them for posts. */
export const TEMP_FILE = /^\..*\.tmp$/;

// Asynchronous, on libuv's thread pool: while one post waits for the disk, the main thread
// answers readers and prepares the next post.
export const postFiles: PostFiles = {
  async writeAtomic(dir, name, text) {
    const target = path.join(dir, name);
    const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const file = await open(temp, 'wx', 0o644);
      try {
        await writeFully(file, Buffer.from(text, 'utf8'));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(dir);
  },

  async remove(dir, name) {
    await rm(path.join(dir, name), { force: true });
    await syncDirectory(dir);
  },
};

/**
 * write(2) may write only part of the buffer without reporting an error: on a nearly full disk
 * it writes what fits and returns the count. Only the next call fails (ENOSPC). Without this loop
 * a truncated post would be renamed into place as if it were whole.
 */
async function writeFully(file: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await file.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error(`write made no progress at byte ${offset}`), { code: 'EIO' });
    offset += bytesWritten;
  }
}

const directorySyncs = new Map<string, () => Promise<void>>();

/**
 * A rename is durable only once the directory entry itself is on disk. Posts written at the
 * same time share one fsync of the folder (group commit): each waits for an fsync that started
 * after its rename, which covers every rename before it.
 */
function syncDirectory(dir: string): Promise<void> {
  let sync = directorySyncs.get(dir);
  if (!sync) {
    sync = coalesced(() => fsyncPath(dir));
    directorySyncs.set(dir, sync);
  }
  return sync();
}

async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Wraps `task` so that a call while it runs waits for the next run, which starts when the
 * current one ends and serves every call made meanwhile.
 */
export function coalesced(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    running = task().finally(() => {
      running = undefined;
    });
    return running;
  };
  return () => {
    if (!running) return start();
    queued ??= running
      .catch(() => {})
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
}
