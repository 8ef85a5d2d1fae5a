// A run cut short by Ctrl-C or SIGTERM: the step running when the signal came is marked interrupted, and
// the process's exit waits for the run's teardown and then for the run to have reported what it did.

import type { StepResult } from '../types.js';
import { interruptedBy, onInterrupt } from './cleanup.js';

/** The step's result, marked with the signal when one came while it ran. */
export function markInterrupted(result: StepResult): StepResult {
  const signal = interruptedBy();
  return signal ? { ...result, interrupted: signal } : result;
}

/**
 * Registers `teardown` to run on an interrupt, as onInterrupt does; the exit then also waits until
 * `reported` is called (the cleanup registry's time budget still bounds the wait).
 */
export function onRunInterrupt(teardown: () => Promise<void>): { unregister: () => void; reported: () => void } {
  let reported: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (reported = resolve));
  const unregister = onInterrupt(async () => {
    await teardown();
    await done;
  });
  return { unregister, reported };
}
