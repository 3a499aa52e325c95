/** Structured log lines, one JSON object a line, so that a log collector can read them. */
export interface Logger {
  info(fields: Record<string, unknown>): void;
  error(fields: Record<string, unknown>): void;
}

export function createLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const emit = (level: string, fields: Record<string, unknown>) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), level, ...fields })}\n`);
  return {
    info: (fields) => emit('info', fields),
    error: (fields) => emit('error', fields),
  };
}

/** For tests: keeps lines in memory so that a test can look at them. */
export function createMemoryLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    info: (fields) => lines.push({ level: 'info', ...fields }),
    error: (fields) => lines.push({ level: 'error', ...fields }),
  };
}
