import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAUNCH_ENV, NODE_FLAGS, REINDEX_ENTRY, SERVER_ENTRY } from '../../src/launch.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const environment = Object.entries(LAUNCH_ENV).map(([name, value]) => `${name}=${value}`);
const command = (entry: string) => ['node', ...NODE_FLAGS, path.relative(PROJECT_ROOT, entry)];
const shellCommand = (entry: string) => [...environment, ...command(entry)].join(' ');
const scripts = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');

// The tests and the bench start Quire from src/launch.ts; people, from these.
describe('every way of starting Quire', () => {
  it('npm start runs the server with the environment and flags the tests and the bench use', () => {
    expect(scripts.start).toBe(shellCommand(SERVER_ENTRY));
  });

  it('npm run reindex runs the reindex with them, after a build', () => {
    expect(scripts.reindex).toBe(`npm run build && ${shellCommand(REINDEX_ENTRY)}`);
  });

  it('the Docker image runs the server with them', () => {
    expect(dockerfile).toContain(`\nCMD ["${command(SERVER_ENTRY).join('", "')}"]\n`);
    const imageEnvironment = /^ENV ((?:.*\\\n)*.*)$/m.exec(dockerfile)?.[1] ?? '';
    for (const setting of environment) expect(imageEnvironment.split(/\s+/)).toContain(setting);
  });
});
