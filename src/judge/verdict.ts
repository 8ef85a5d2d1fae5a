import type { Snapshot, Step, StepResult } from '../types.js';
import type { PageDrift } from './page-match.js';

export type VerdictStatus = 'passed' | 'failed' | 'written' | 'updated' | 'interrupted' | 'not-run' | 'skipped';

export interface StepVerdict {
  step: Step;
  status: VerdictStatus;
  result?: StepResult;
  /** Why a step failed, in one line. */
  message?: string;
  /** On an output mismatch: the recorded (or, for a page-checked step, the page's) and the actual normalized text. */
  expected?: string;
  actual?: string;
  /** How much of the output the page shows under the step the run printed, for steps whose page shows one. */
  page?: PageDrift;
}

export interface JudgeMode {
  /** `-u`: record what ran as the new truth. */
  update: boolean;
  /** CI never writes: a missing entry fails. */
  ci: boolean;
  /** With `update`: the steps it records (`--step`, `-t`); the others are judged as without it, and no entry is dropped. */
  records?: (step: Step) => boolean;
}

export interface EnvironmentChange {
  key: string;
  recorded?: string;
  actual?: string;
}

/** A whole lesson judged: one verdict per planned step, and what the snapshot file should become. */
export interface Outcome {
  verdicts: StepVerdict[];
  /** Snapshot entries for steps the lesson no longer has. */
  obsolete: string[];
  /** The snapshot to write, when anything should change on disk. */
  write?: Snapshot;
  /** Environment entries that differ from the recorded ones: a likely cause of a mismatch. */
  environmentChanges: EnvironmentChange[];
  /** More to say at the lesson's end, e.g. that older normalizers wrote the snapshot. */
  notes?: string[];
}
