import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLineBatcher, createLogger, MAX_HELD_LOG_CHARS } from '../../src/http/log.js';

/** A batcher writing into an array, as stdout would receive the chunks. */
function recordedBatcher() {
  const chunks: string[] = [];
  return { chunks, sink: createLineBatcher((chunk) => chunks.push(chunk)) };
}

describe('log lines', () => {
  it('go out in one write per turn of the event loop, in the order they were logged', async () => {
    const { chunks, sink } = recordedBatcher();
    const log = createLogger(sink);
    log.info({ event: 'one' });
    log.info({ event: 'two' });
    log.info({ event: 'three' });
    expect(chunks).toEqual([]);

    await nextTurn();
    expect(chunks).toHaveLength(1);
    const events = chunks[0]?.trimEnd().split('\n').map((line) => JSON.parse(line).event);
    expect(events).toEqual(['one', 'two', 'three']);

    log.info({ event: 'four' });
    await nextTurn();
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toContain('"event":"four"');
  });

  it('are written at once when an error is logged, with the lines before it', () => {
    const { chunks, sink } = recordedBatcher();
    const log = createLogger(sink);
    log.info({ event: 'request' });
    log.error({ event: 'index-corrupt' });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatch(/"event":"request".*\n.*"level":"error".*"event":"index-corrupt"/);
  });

  it('are not held beyond a bound within one turn', () => {
    const { chunks, sink } = recordedBatcher();
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < MAX_HELD_LOG_CHARS / line.length; i++) sink.write(line);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toHaveLength(MAX_HELD_LOG_CHARS);
  });

  it('held at a flush (the process exiting) are written then, and not again when the turn ends', async () => {
    const { chunks, sink } = recordedBatcher();
    sink.write('last words\n');
    sink.flush();
    await nextTurn();
    expect(chunks).toEqual(['last words\n']);
  });
});
