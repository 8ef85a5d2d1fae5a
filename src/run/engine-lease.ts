import { lessonNetwork } from '../plan/network.js';
import type { EngineChoice, Lesson, NetworkChoice } from '../types.js';
import type { Engine } from './engine.js';
import type { EngineImageOptions } from './engine-images.js';

/**
 * Where a run's engine comes from: a fresh private dockerd, the engine the environment points at
 * (`host`), or a private engine started ahead of time with its base image (ready-engine.ts), which
 * the caller still owns and stops.
 */
export type EngineSource = EngineChoice | Promise<Engine>;

/** An engine a run uses, with what it says of itself for the snapshot. */
export interface EngineLease {
  engine: Engine;
  /** Client and server versions and the builder, recorded in the snapshot. */
  environment: Record<string, string>;
  /** Stops the engine, unless the run borrowed it from its owner. */
  release(): Promise<void>;
}

/** Takes the run's engine from its source; `phase` times each part of the wait for the run's header. */
export async function leaseEngine(
  source: EngineSource,
  phase: <T>(name: string, work: () => Promise<T>) => Promise<T>,
  /** Told as soon as the engine is up, so that a run cut short while it gets ready still releases it. */
  started: (engine: Engine, release: () => Promise<void>) => void,
  /** The lesson: the images it uses beyond the stand-in; on the user's own engine, the names its commands use. */
  needs: { lesson: Lesson; commands: string[]; note: (text: string) => void; network?: NetworkChoice; images?: Pick<EngineImageOptions, 'upstream' | 'pins'> },
): Promise<EngineLease> {
  if (typeof source !== 'string') {
    const engine = await phase('engine ready', () => source);
    const release = async () => undefined;
    started(engine, release);
    return { engine, environment: await engine.describe(), release };
  }
  // Loaded only by lessons that need Docker: a plain shell lesson starts without them.
  const [{ hostEngine, startPrivateEngine }, { loadBaseImage }, { engineImageOptions }] = await Promise.all([
    import('./engine.js'),
    import('./base-image.js'),
    import('./engine-images.js'),
  ]);
  const network = lessonNetwork(needs.lesson, needs.network);
  const engine = await phase('engine start', async () => (source === 'host' ? hostEngine() : startPrivateEngine({ ...engineImageOptions(needs.lesson, needs.images), network })));
  if (engine.kind === 'host') {
    const { leaseHostEngine } = await import('./host-lease.js');
    const env = { ...process.env, ...engine.env };
    const release = await phase('engine inventory', () => leaseHostEngine(env, needs.commands, needs.note));
    started(engine, release);
    return { engine, environment: await engine.describe(), release };
  }
  const release = () => engine.stop();
  started(engine, release);
  const header = engine.images && (await import('./image-facts.js')).imageHeader(needs.lesson, engine);
  if (header) needs.note(header);
  // Asked while the base image loads: both wait on the engine, neither on the other.
  const described = engine.describe();
  if (engine.kind === 'private') await phase('base image', () => loadBaseImage(engine));
  // Said only when open: snapshots recorded without it keep the environment they always had.
  return { engine, environment: { ...(await described), ...(network === 'outbound' && { network }) }, release };
}
