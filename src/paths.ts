import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder that holds package.json, views/, public/ and migrations/. Found by walking up from
 * this file, because it runs both from src/ (tests) and from dist/src/ (the built server).
 */
function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot(import.meta.dirname);
export const VIEWS_DIR = path.join(PROJECT_ROOT, 'views');
export const PUBLIC_DIR = path.join(PROJECT_ROOT, 'public');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');
