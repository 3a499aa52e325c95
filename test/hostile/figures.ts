/**
 * The figures the hostile-input suites publish (README, "Reliability and security"): one line
 * per category, prefixed so that `npx vitest run test/hostile | grep '\[figures\]'` collects them.
 */
export interface Tally {
  category: string;
  tried: number;
  serverErrors: number;
  /** Inputs the app took (a post created, a page served). */
  accepted: number;
  /** Inputs the app turned down with a 4xx. */
  refused: number;
}

export function tally(category: string): Tally {
  return { category, tried: 0, serverErrors: 0, accepted: 0, refused: 0 };
}

/** Counts one answer: 5xx, accepted (2xx/3xx) or refused (4xx). */
export function count(t: Tally, status: number): void {
  t.tried++;
  if (status >= 500) t.serverErrors++;
  else if (status >= 400) t.refused++;
  else t.accepted++;
}

export function printFigures(t: Tally): void {
  console.log(`[figures] ${t.category}: ${t.tried} inputs, ${t.serverErrors} answered 5xx, ${t.accepted} accepted, ${t.refused} refused (4xx)`);
}
