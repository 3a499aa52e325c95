import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Fixture } from './fixtures.js';
import { startListening, type Listening } from './processes.js';

/** Starts the two baseline programs (compiled next to this file) on their own ports. */
const READ_BASELINE = path.join(import.meta.dirname, 'baseline-static.js');
const FORM_BASELINE = path.join(import.meta.dirname, 'baseline-form.js');
const BASELINE_START_TIMEOUT_MS = 10_000;

export function startReadBaseline(fixtures: Fixture[], workDir: string): Promise<Listening> {
  const fixturesFile = path.join(workDir, 'fixtures.json');
  writeFileSync(fixturesFile, JSON.stringify(fixtures));
  return startListening(READ_BASELINE, { FIXTURES_FILE: fixturesFile }, path.join(workDir, 'baseline-read.log'), BASELINE_START_TIMEOUT_MS);
}

export function startFormBaseline(workDir: string): Promise<Listening> {
  const formDir = path.join(workDir, 'baseline-posts');
  mkdirSync(formDir, { recursive: true });
  return startListening(FORM_BASELINE, { FORM_DIR: formDir }, path.join(workDir, 'baseline-form.log'), BASELINE_START_TIMEOUT_MS);
}
