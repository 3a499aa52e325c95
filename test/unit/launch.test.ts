import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS, REINDEX_ENTRY, SERVER_ENTRY } from '../../src/launch.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const command = (entry: string) => ['node', ...NODE_FLAGS, path.relative(PROJECT_ROOT, entry)];
const scripts = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');

// The tests and the bench start Quire from src/launch.ts; people, from these.
describe('every way of starting Quire', () => {
  it('npm start runs the server with the flags the tests and the bench use', () => {
    expect(scripts.start).toBe(command(SERVER_ENTRY).join(' '));
  });

  it('npm run reindex runs the reindex with them, after a build', () => {
    expect(scripts.reindex).toBe(`npm run build && ${command(REINDEX_ENTRY).join(' ')}`);
  });

  it('the Docker image runs the server with them', () => {
    expect(dockerfile).toContain(`\nCMD ["${command(SERVER_ENTRY).join('", "')}"]\n`);
  });
});
