// Long loops over a table (normalising a desired state, reading the kernel's, planning) written
// once as a generator that yields the rows each step cost, and run either at once (the sync API)
// or in slices with a turn of the event loop after every ROWS_PER_TURN rows, as the handle's
// listings do: a 100,000-service apply then never holds the loop for more than a slice's worth.
import type { Batch } from '../core/batch.js';
import type { Operation } from '../core/operation.js';
import { ROWS_PER_TURN, yieldToLoop } from '../kernel/exchange-queue.js';

/** Work that yields the rows (services, destinations) each step cost, and returns its result. */
export type SlicedWork<R> = Generator<number, R, void>;

/** Runs the work to its end without a turn of the loop. */
export function runAtOnce<R>(work: SlicedWork<R>): R {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Runs the work to its end, with a turn of the loop after every ROWS_PER_TURN rows. */
export async function runInSlices<R>(work: SlicedWork<R>): Promise<R> {
  let rows = 0;
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    rows += step.value;
    if (rows >= ROWS_PER_TURN) {
      rows = 0;
      await yieldToLoop();
    }
  }
}

/**
 * Adds the operations to a batch with a turn of the loop after every ROWS_PER_TURN: validating and
 * writing a 100,000-operation batch is otherwise one block (seconds in the lab). For batch()'s
 * build callback, which then returns this promise.
 */
export async function addInSlices(batch: Batch, operations: readonly Operation[]): Promise<void> {
  for (let from = 0; from < operations.length; from += ROWS_PER_TURN) {
    if (from > 0) await yieldToLoop();
    const to = Math.min(operations.length, from + ROWS_PER_TURN);
    for (let i = from; i < to; i++) batch.add(operations[i] as Operation);
  }
}
