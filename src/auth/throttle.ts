/**
 * Counts failed sign-ins per client in a sliding window. In memory: a restart forgets the
 * counts, which only helps someone who can also restart the server.
 */
export interface Throttle {
  isBlocked(client: string): boolean;
  recordFailure(client: string): void;
  reset(client: string): void;
}

export const SIGN_IN_FAILURES_ALLOWED = 10;
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
// Bounds memory when many addresses fail: the oldest clients are forgotten first.
const MAX_CLIENTS_TRACKED = 10_000;

export function createThrottle(
  { limit = SIGN_IN_FAILURES_ALLOWED, windowMs = SIGN_IN_WINDOW_MS, now = Date.now } = {},
): Throttle {
  const failures = new Map<string, number[]>();
  const recent = (client: string) => (failures.get(client) ?? []).filter((at) => at > now() - windowMs);

  return {
    isBlocked: (client) => recent(client).length >= limit,
    recordFailure(client) {
      const times = recent(client);
      times.push(now());
      failures.delete(client);
      failures.set(client, times);
      if (failures.size > MAX_CLIENTS_TRACKED) {
        const oldest = failures.keys().next().value;
        if (oldest !== undefined) failures.delete(oldest);
      }
    },
    reset: (client) => void failures.delete(client),
  };
}
