// A re-run must see what a cold run sees, and a used engine cannot be wiped back to new: dockerd keeps
// allocators in memory that no API resets (the next user network gets 172.19.0.0/16 instead of
// 172.18.0.0/16, the next `-p 80` gets host port 32769 instead of 32768). So instead of reusing an
// engine, the next run's engine is started ahead of time, while the author edits: a fresh dockerd
// with the base image already loaded, so the run only waits for it when it comes too soon.

import { loadBaseImage } from './base-image.js';
import { onInterrupt } from './cleanup.js';
import { startPrivateEngine, type Engine } from './engine.js';

/** A fresh private engine, with the base image loaded and its description asked once, for a run that has not started yet. */
export async function startReadyEngine(): Promise<Engine> {
  const engine = await startPrivateEngine();
  try {
    await loadBaseImage(engine);
    // The docker CLI asked twice costs a tenth of a second at the start of every run; the answers
    // cannot change for this engine.
    const described = await engine.describe();
    return { ...engine, describe: async () => described };
  } catch (error) {
    await engine.stop();
    throw error;
  }
}

/**
 * Engines for runs that follow one another: each run takes a fresh one, and the next is started as soon
 * as the last one is gone. One engine coming or going at a time keeps the machine free for the author.
 * On Ctrl-C every engine is stopped, whatever stage it is in, and no new one starts.
 */
export class FreshEngines {
  private next?: Promise<Engine>;
  private readonly live = new Set<Promise<Engine>>();
  private closing = false;

  constructor() {
    onInterrupt(() => this.close());
  }

  /** The engine made ready in advance, or a new one. */
  take(): Promise<Engine> {
    const engine = this.next ?? this.start(Promise.resolve());
    this.next = undefined;
    return engine;
  }

  /** Stops an engine a run is done with, then gets the next one ready. */
  retire(engine: Promise<Engine>): void {
    this.next = this.start(this.stop(engine));
  }

  /** Stops the engine made ready in advance, for a lesson that no longer needs one. */
  dropNext(): void {
    if (this.next) void this.stop(this.next);
    this.next = undefined;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.live].map((engine) => this.stop(engine)));
  }

  private start(after: Promise<void>): Promise<Engine> {
    const engine = after.then(() => {
      if (this.closing) throw new Error('stopping: no new engine');
      return startReadyEngine();
    });
    // Failures surface when a run awaits it; until then it must not count as an unhandled rejection.
    engine.catch(() => undefined);
    this.live.add(engine);
    return engine;
  }

  // Engine.stop is idempotent, so an engine already stopping is simply waited for.
  private stop(engine: Promise<Engine>): Promise<void> {
    return engine.then((e) => e.stop(), () => undefined).finally(() => this.live.delete(engine));
  }
}
