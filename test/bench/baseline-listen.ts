import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Shared by the baseline programs: listen on a free loopback port and announce it with the same
 * log line Quire prints, so that one start-up routine serves all three; stop on SIGTERM.
 */
export function listenAndAnnounce(server: Server): void {
  server.listen(0, '127.0.0.1', () => {
    const { address, port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ event: 'listening', url: `http://${address}:${port}` })}\n`);
  });
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
