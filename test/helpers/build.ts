import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Vitest global setup: compiles src/ to dist/ once, so that process tests can start the real
 * server the way `npm start` and the Docker image do (`node dist/src/server.js`).
 */
export default function buildOnce(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
