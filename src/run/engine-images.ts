// A private engine's way to the image registries (image-cache.ts): its network namespace has no route
// out, so a relay inside it (socat on 127.0.0.1) forwards to each registry's unix socket, and dockerd
// lists the relays as registry mirrors, the store first, then the cache. dockerd tries mirrors in
// order and allows plain HTTP on 127.0.0.0/8. Mirrors serve Docker Hub names only.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { familiarRef, type ImagePin } from '../judge/image-pins.js';
import { imagesNeeded } from '../plan/images.js';
import type { Lesson } from '../types.js';
import { imageSourcesUnavailable, openImageSources, type ImageSourceOptions, type ImageSources } from './image-cache.js';
import { ImageRelay } from './image-relay.js';
import { predictSources } from './image-availability.js';

const READY_TIMEOUT_MS = 10_000;

// Below the kernel's ephemeral range (where `docker run -P` picks host ports) and away from the ports
// tutorials publish (5000, 8080, 3000, 6379...), so a page's own `-p` never meets a relay.
const CANDIDATE_PORTS = [23941, 23942, 23943, 23944, 23945, 23946, 23947, 23948];

export interface EngineImageOptions extends ImageSourceOptions {
  /** The lesson's text: ports it mentions are not used for relays. */
  avoid?: string;
  /** Tag → digest the snapshot pins: asked for by digest (image-relay.ts). */
  pins?: Record<string, string>;
  /** The images the lesson names, for the run's header. */
  planned?: string[];
}

/** What an engine's images went through, for the run's header, the snapshot and failed steps. */
export interface EngineImageReport {
  /** Where each image the lesson names will come from, as the registries' folders say before the run. */
  header: string;
  /** The images the engine got by tag, with their digests and where they came from. */
  pulls(): ImagePin[];
  /** What went wrong with the registries since the last call, one line each. */
  takeFaults(): Promise<string[]>;
}

/** The registries one engine uses: dockerd's arguments before it starts, the relay once its namespace exists. */
export interface EngineImages {
  dockerdArgs: string[];
  /**
   * Starts the relay inside the network namespace of process `pid`; resolves once it listens. `userns`:
   * the namespace belongs to a rootless engine's user namespace, which the relay enters first.
   */
  attach(pid: number, userns?: boolean): Promise<void>;
  /** Stops the relay and lets go of the registries; idempotent. */
  release(): Promise<void>;
  report: EngineImageReport;
}

/** Options for startPrivateEngine: the registries when the lesson uses images beyond the stand-in, else none. */
export function engineImageOptions(lesson: Lesson, chosen: Pick<EngineImageOptions, 'upstream' | 'pins'> = {}): { images?: EngineImageOptions } {
  const planned = imagesNeeded(lesson);
  if (planned.length === 0) return {};
  const text = lesson.steps
    .map((step) => {
      if (step.kind === 'file') return step.content;
      if (step.kind === 'skip') return step.command ?? '';
      return [step.kind === 'session-input' ? step.input.join('\n') : step.command, step.expected ?? ''].join('\n');
    })
    .join('\n');
  return { images: { avoid: text, planned, ...chosen } };
}

/** The relays' ports: the store's and the cache's mirrors, then the store's and the cache's own (for blobs). */
export function relayPorts(avoid = ''): [number, number, number, number] {
  const mentioned = new Set(avoid.match(/\d+/g) ?? []);
  const free = [...CANDIDATE_PORTS.filter((port) => !mentioned.has(String(port))), ...CANDIDATE_PORTS];
  return [free[0]!, free[1]!, free[2]!, free[3]!];
}

// Runs in the engine's namespace. stdin is a pipe from node: when node lets go or dies, the relays go.
// Ready once every port is listening, as the namespace's own /proc/net/tcp shows (state 0A).
const RELAY = `
pids=
for spec in "$@"; do
  socat -b 262144 "TCP-LISTEN:\${spec%%=*},bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:\${spec#*=}" &
  pids="$pids $!"
done
for spec in "$@"; do
  hex=$(printf '%04X' "\${spec%%=*}")
  until grep -q "0100007F:$hex 00000000:0000 0A" /proc/net/tcp; do sleep 0.01; done
done
echo ready
read -r _
kill $pids 2>/dev/null
wait
`;

function startRelay(pid: number, routes: [number, string][], userns = false): Promise<ChildProcess> {
  // A user may enter a network namespace only through the user namespace that owns it.
  const enter = userns ? ['--target', String(pid), '--user', '--net', '--preserve-credentials'] : [`--net=/proc/${pid}/ns/net`];
  const child = spawn('nsenter', [...enter, '--', 'sh', '-c', RELAY, 'sh', ...routes.map(([port, socket]) => `${port}=${socket}`)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`the registry relay did not listen within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`the registry relay exited with ${code}`)));
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
}

export async function prepareEngineImages(options: EngineImageOptions): Promise<EngineImages> {
  const problem = await imageSourcesUnavailable();
  if (problem) throw new Error(`the image cache cannot start: ${problem}`);
  const sources: ImageSources = await openImageSources(options);
  const pins = options.pins ?? {};
  let images: ImageRelay;
  const ports = relayPorts(options.avoid);
  const cacheMirror = { name: 'cache' as const, ...sources.cache, direct: `http://127.0.0.1:${ports[3]}` };
  const cacheLog = logReader(join(sources.cache.folder, 'registry.log'));
  try {
    images = await ImageRelay.start([{ name: 'store', ...sources.store, direct: `http://127.0.0.1:${ports[2]}` }, cacheMirror], pins);
  } catch (error) {
    await sources.release();
    throw error;
  }
  const planned = (options.planned ?? []).map(familiarRef);
  let relay: ChildProcess | undefined;
  let released: Promise<void> | undefined;
  return {
    dockerdArgs: ports.slice(0, 2).flatMap((port) => ['--registry-mirror', `http://127.0.0.1:${port}`]),
    async attach(pid, userns) {
      relay = await startRelay(pid, [
        [ports[0], images.sockets[0]!],
        [ports[1], images.sockets[1]!],
        [ports[2], sources.store.socket],
        [ports[3], sources.cache.socket],
      ], userns);
    },
    report: {
      header: predictSources(planned, pins, sources),
      pulls: () => images.pulls(),
      takeFaults: () => {
        // What the cache could not keep (a full disk) it says in its log only: the pull itself went through.
        images.noteLog(cacheMirror, cacheLog());
        return images.takeFaults();
      },
    },
    release: () =>
      (released ??= (async () => {
        const child = relay;
        if (child && child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((resolve) => child.once('exit', resolve));
          child.stdin?.end();
          await gone;
        }
        await images.close();
        await sources.release();
      })()),
  };
}

/** Reads what a log file gained since the last call (from its size now, at the first). */
function logReader(file: string): () => string {
  let offset = (() => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  })();
  return () => {
    try {
      const size = statSync(file).size;
      if (size <= offset) return '';
      const buffer = Buffer.alloc(Math.min(size - offset, 1 << 20));
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      offset = size;
      return buffer.toString('utf8');
    } catch {
      return '';
    }
  };
}
