import { setTimeout as sleep } from 'node:timers/promises';
import type { StepResult } from '../types.js';
import { interrupted } from './cleanup.js';
import type { Engine } from './engine.js';
import type { LessonShell } from './lesson-shell.js';

/** How long a dead dockerd's launcher may take to report its exit. */
const LOST_NOTICE_MS = 1000;

/**
 * The step as it ran, unless the engine went down meanwhile: then the step is stopped, since it may
 * wait on the dead engine until its timeout, and it fails saying so; the rest of the lesson is not run.
 */
export async function watchingEngine(engine: Engine | undefined, shell: LessonShell, running: Promise<StepResult>): Promise<StepResult> {
  if (!engine) return running;
  const first = await Promise.race([running, engine.lost]);
  let reason: string | undefined;
  if (typeof first === 'string') {
    reason = first;
    await shell.close();
  } else if (!interrupted() && !(await engine.isUp())) {
    // (On Ctrl-C the engine is going down on purpose: that is no news to wait for.)
    // The step saw the engine die (a refused connection) before we heard of it: `lost` is on its way.
    reason = await Promise.race([engine.lost, sleep(LOST_NOTICE_MS).then(() => 'dockerd is no longer running')]);
  }
  const result = await running;
  return reason ? { ...result, timedOut: false, error: `the Docker engine stopped during this step: ${reason}` } : result;
}
