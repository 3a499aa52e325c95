import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { launchEnv, NODE_FLAGS, SERVER_ENTRY } from '../../src/launch.js';

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
}

export interface StartOptions {
  /**
   * Wait for the index to be in line with the files too (the default). A server whose index
   * has posts listens first, and brings it in line while it serves.
   */
  untilReconciled?: boolean;
}

/** Starts the server as `npm start` does, on a free port with `env`, and waits until it listens. */
export async function startServer(env: Record<string, string>, { untilReconciled = true }: StartOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...NODE_FLAGS, SERVER_ENTRY], {
    env: launchEnv({ PORT: '0', HOST: '127.0.0.1', ...env }),
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /"event":"listening","url":"([^"]+)"/.exec(output);
      if (match?.[1] && (!untilReconciled || output.includes('"event":"reconciled"'))) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

/** Runs the server with `env` until it exits by itself (for start-up failures). */
export async function runServerToExit(env: Record<string, string>): Promise<{ code: number | string; output: string }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, SERVER_ENTRY], { env: launchEnv(env) });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code, signal] = await once(child, 'exit');
  return { code: (code ?? signal) as number | string, output };
}
