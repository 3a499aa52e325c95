import type { PlannedFile } from './reconcile-plan.js';

/**
 * Splits planned files, in order, into batches of at most `maxFiles` files and `maxBytes` bytes
 * of Markdown. A batch's rows are written once all its files are rendered, so it holds every
 * text and page it makes until then: counting files alone let a batch of long posts hold tens
 * of megabytes. A file larger than `maxBytes` makes a batch of its own.
 */
export function inBatches(files: PlannedFile[], maxFiles: number, maxBytes: number): PlannedFile[][] {
  const batches: PlannedFile[][] = [];
  let batch: PlannedFile[] = [];
  let bytes = 0;
  for (const file of files) {
    if (batch.length > 0 && (batch.length === maxFiles || bytes + file.stat.size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += file.stat.size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
