import { randomBytes } from 'node:crypto';
import { access, close, fstat, fsync, link, open, rename, rm, write, type Stats } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// The callback functions on plain descriptors: fs/promises' FileHandles cost a create 0.2 ms
// more of the main thread's time (measured under the bench's create load).
const openFile = promisify(open);
const writeFile = promisify(write);
const syncFile = promisify(fsync);
const closeFile = promisify(close);
const statFile = promisify(fstat) as (fd: number) => Promise<Stats>;
const linkFile = promisify(link);
const renameFile = promisify(rename);
const removeFile = promisify(rm);
const accessFile = promisify(access);

/**
 * The file operations the store needs, as one seam: tests inject faults here. They run on
 * libuv's threads: an fsync blocks for as long as the disk takes, and done on the main thread,
 * a create's two fsyncs kept every reader waiting (a quarter of a create's time there).
 */
export interface PostFiles {
  /**
   * Writes `text` to `dir/name` so that a crash leaves the whole file or none, and never
   * replaces a file already there: then it throws a `FileExistsError` and leaves nothing.
   * Answers the file's size and modification time, as the index keeps them.
   */
  writeNew(dir: string, name: string, text: string): Promise<WrittenFile>;
  remove(dir: string, name: string): Promise<void>;
}

export interface WrittenFile {
  size: number;
  mtimeMs: number;
}

/** `writeNew` found a file by that name (one added by hand, say, that the index has not seen). */
export class FileExistsError extends Error {
  readonly code = 'EEXIST';
  constructor(name: string) {
    super(`${name} already exists`);
    this.name = 'FileExistsError';
  }
}

/** Temp files start with a dot and end in .tmp, so no reader of the folder takes them for posts. */
export const TEMP_FILE = /^\..*\.tmp$/;

// Where link(2) answers these, the file system has no hard links (FAT, some network shares).
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export type LinkFile = (existing: string, newPath: string) => Promise<void>;

/**
 * The temp file is written and fsynced, then linked to its name: link(2), unlike rename(2),
 * fails when the name is taken, so a file that appeared after the store chose the name (added
 * by hand, or by another process) is never replaced. Where the file system has no hard links,
 * the name is checked and the temp file renamed, which leaves that instant's race open.
 * `linkFile` is a parameter for the tests of that fallback.
 */
export function createPostFiles(linkTemp: LinkFile = linkFile): PostFiles {
  return {
    async writeNew(dir, name, text) {
      const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      const target = path.join(dir, name);
      let written: Stats;
      try {
        const fd = await openFile(temp, 'wx', 0o644);
        try {
          await writeFully(fd, Buffer.from(text, 'utf8'));
          await syncFile(fd);
          // Asked of the descriptor, on libuv's threads: a link or a rename keeps both.
          written = await statFile(fd);
        } finally {
          await closeFile(fd);
        }
        await moveIntoPlace(temp, target, linkTemp);
      } catch (error) {
        await removeFile(temp, { force: true });
        throw error;
      }
      await syncDirectory(dir);
      return { size: written.size, mtimeMs: written.mtimeMs };
    },

    async remove(dir, name) {
      await removeFile(path.join(dir, name), { force: true });
      await syncDirectory(dir);
    },
  };
}

export const postFiles = createPostFiles();

async function moveIntoPlace(temp: string, target: string, linkTemp: LinkFile): Promise<void> {
  try {
    await linkTemp(temp, target);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EEXIST') throw new FileExistsError(path.basename(target));
    if (!code || !NO_HARD_LINKS.has(code)) throw error;
    if (await exists(target)) throw new FileExistsError(path.basename(target));
    await renameFile(temp, target);
    return;
  }
  // The post is in place whatever happens now; a temp file left behind goes at the next reconcile.
  await removeFile(temp, { force: true }).catch(() => undefined);
}

async function exists(file: string): Promise<boolean> {
  try {
    await accessFile(file);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * write(2) may write only part of the buffer without reporting an error: on a nearly full disk
 * it writes what fits and returns the count. Only the next call fails (ENOSPC). Without this loop
 * a truncated post would be moved into place as if it were whole.
 */
async function writeFully(fd: number, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; ) {
    const { bytesWritten } = await writeFile(fd, data, offset, data.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error(`write made no progress at byte ${offset}`), { code: 'EIO' });
    offset += bytesWritten;
  }
}

/** A new name is durable only once the directory entry itself is on disk. */
async function syncDirectory(dir: string): Promise<void> {
  const fd = await openFile(dir, 'r');
  try {
    await syncFile(fd);
  } finally {
    await closeFile(fd);
  }
}
