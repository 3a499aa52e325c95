import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAssets } from '../../src/http/assets.js';
import { startingListener } from '../../src/http/starting.js';
import { PUBLIC_DIR } from '../../src/paths.js';

let server: Server | undefined;
afterEach(() => server?.close());

/** The listener of a first start, on a real port, halfway through its build. */
async function startingServer(): Promise<number> {
  const listener = startingListener({ progress: () => ({ done: 1, total: 2 }), site: { title: 'Test Blog', url: 'http://localhost:3000' }, assets: loadAssets(PUBLIC_DIR), https: false });
  server = createServer(listener);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends `head` as it is and answers the status line of the reply. */
function rawStatusLine(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    socket.once('data', (data) => {
      resolve(String(data).split('\r\n', 1)[0] ?? '');
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('a first start, while it builds the index', () => {
  it('answers a request for a malformed URL with its 503 page, and keeps answering', async () => {
    const port = await startingServer();
    expect(await rawStatusLine(port, 'GET http://[ HTTP/1.1\r\nHost: localhost\r\n\r\n')).toBe('HTTP/1.1 503 Service Unavailable');
    const health = await fetch(`http://127.0.0.1:${port}/healthz?probe=1`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'starting', done: 1, total: 2 });
  });
});
