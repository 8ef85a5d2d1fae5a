import type { Transform } from './transform.js';

/**
 * Whether a text may hold BuildKit plain progress: a line that starts with a vertex number. Every
 * change below is made inside such a build, so a text without one is returned as it is.
 */
export const mayHoldBuild = /^#\d+ /m;

// `#5 [2/2] RUN touch /test`, `#5 0.215 created`, `#5 DONE 0.3s`: a vertex number, then its text.
const vertexLine = /^#(\d+) (.*)$/;
// 20.10's client prints each vertex's digest under its name: it changes with the base image and the
// build context, and says nothing a reader needs.
// A snapshot written before this normalizer holds it as a placeholder: taken as the digest it was.
const vertexDigest = /^sha256:(?:[0-9a-f]{64}|<id-\d+>)$/;
// How many bytes of the Dockerfile or the context were sent: it depends on what the engine already has
// (a second build sends a diff), and whether the transfer lasted long enough to get a time.
const transferred = /^(transferring (?:dockerfile|context):) (?:\d+(?:\.\d+)?[kMGT]?B|<size>)(?: \d+(?:\.\d+)?m?s)?(?= done$|$)/;
// How long a finished status took: printed or not depending on whether it was seen before it ended.
const statusTime = / (?:\d+(?:\.\d+)?m?s|<duration>)(?= done$)/;
// A status printed while it is going on: `transferring context: 1.2MB 0.5s`, `sha256:… 3.1MB / 3.6MB 0.2s`.
// How many of these show depends on timing; the final one, which ends in `done`, is what counts.
const inProgress = /^(.*?) (?:\d+(?:\.\d+)?[kMGT]?i?B(?: \/ \d+(?:\.\d+)?[kMGT]?i?B)? )?\d+(?:\.\d+)?m?s$/;
// `[one 1/2] FROM docker.io/library/alpine`: identical FROMs of several stages are one vertex, named
// after whichever stage the solver met first, which changes between runs.
const stageFrom = /^\[\S+ 1\/\d+\] (FROM .*)$/;
// `[two 2/3] RUN …`, `[2/3] RUN …`: a Dockerfile instruction, by stage and position.
const instruction = /^\[(?:(\S+) )?(\d+)\/\d+\] /;
// What a build's first vertex is named: its context and Dockerfile loading (`[internal] load …`),
// buildx's `building with "default" instance`, a step (`[2/2] RUN …`), the image it resolves or
// exports. Other lines that start with `#1 ` (`uname -v` prints `#1 SMP PREEMPT_DYNAMIC …`) are no build.
const opensBuild = /^(?:\[|building with |resolve image config |exporting |load build definition|load \.dockerignore)/;
// An error's trailer quotes the failed step's log with the times BuildKit stamped on each line.
const quotedLog = /^\d+\.\d+ /;

interface Vertex {
  number: number;
  name: string;
  lines: string[];
  /** Where the vertex first showed, for vertices that keep the order they ran in. */
  seen: number;
}

/**
 * The `buildkit` normalizer: what `docker build` prints with BuildKit's plain progress, made the same
 * on every run. BuildKit runs independent steps at once, numbers its vertices as it meets them and
 * prints their lines as they come, so two runs of one build differ in `#N` numbers and in how lines
 * interleave. Here each vertex's lines are gathered under its name, vertices are put in an order that
 * only depends on the Dockerfile (the front-end's own steps, then the instructions by stage and
 * position, then exporting as it ran) and numbered again from there. Digests of vertices, transfer
 * sizes, in-progress statuses and the times of finished ones go; `CACHED`, `DONE`, errors and every
 * log line stay.
 */
export const normalizeBuildKit: Transform = (text) => (mayHoldBuild.test(text) ? rewriteBuilds(text) : text);

/** The rewrite itself, with no quick test in front: a text without a vertex line comes out as it went in. */
export function rewriteBuilds(text: string): string {
  const out: string[] = [];
  let build: Build | undefined;
  // A blank line came after the build's last vertex line. BuildKit prints one between two vertices,
  // never two: a second one ends the build, and every blank line around a build is kept as it was.
  let blank = false;
  let trailer = false;
  const flush = (current: Build) => {
    out.push(...current.render());
    if (blank) out.push('');
    blank = false;
  };
  for (const line of text.split('\n')) {
    const vertex = vertexLine.exec(line);
    if (vertex && (build || opensBuild.test(vertex[2] ?? ''))) {
      if (build && !build.accepts(Number(vertex[1]), vertex[2] ?? '')) {
        flush(build);
        build = undefined;
      }
      blank = false;
      build ??= new Build();
      build.add(Number(vertex[1]), vertex[2] ?? '');
      continue;
    }
    if (build && line === '' && !blank) {
      blank = true;
      build.blank();
      continue;
    }
    // `------` right after the build's last vertex opens the quoted log of a failed step; the next closes it.
    if (build) {
      flush(build);
      build = undefined;
      trailer = line === '------';
    } else if (trailer && line === '------') {
      trailer = false;
    }
    out.push(trailer && quotedLog.test(line) ? line.replace(quotedLog, '') : line);
  }
  if (build) flush(build);
  return out.join('\n');
}

class Build {
  private readonly vertices = new Map<number, Vertex>();
  /** A blank line came: the next vertex line names a vertex. */
  private header = true;

  /** Whether a line of vertex `number` with `text` belongs to this build, rather than starting a new one. */
  accepts(number: number, text: string): boolean {
    const known = this.vertices.get(number);
    // `docker build a && docker build b`: the second starts again from #0 or #1 with another name.
    return !(this.header && known && known.name !== text);
  }

  add(number: number, text: string): void {
    let vertex = this.vertices.get(number);
    if (!vertex) {
      vertex = { number, name: text, lines: [], seen: this.vertices.size };
      this.vertices.set(number, vertex);
      this.header = false;
      return;
    }
    // Back to a vertex that was interrupted: its name is printed again.
    if (this.header && text === vertex.name) {
      this.header = false;
      return;
    }
    this.header = false;
    vertex.lines.push(text);
  }

  blank(): void {
    this.header = true;
  }

  render(): string[] {
    const vertices = [...this.vertices.values()];
    const stages = new Set(vertices.map((vertex) => instruction.exec(vertex.name)?.[1]).filter((stage) => stage !== undefined));
    const named = vertices.map((vertex) => ({ ...vertex, name: stages.size > 1 ? vertex.name.replace(stageFrom, '[<stage>] $1') : vertex.name }));
    const first = Math.min(...vertices.map((vertex) => vertex.number));
    const ordered = named.sort(compareVertices);
    const out: string[] = [];
    ordered.forEach((vertex, index) => {
      const number = `#${first + index} `;
      if (index > 0) out.push('');
      out.push(number + vertex.name, ...statusLines(vertex.lines).map((line) => number + line));
    });
    return out;
  }
}

function statusLines(lines: string[]): string[] {
  const kept = lines.filter((line) => line !== '...' && !vertexDigest.test(line));
  return kept
    .filter((line, index) => {
      if (/ done$/.test(line) || quotedLog.test(line) || /^(?:DONE|CACHED|ERROR|CANCELED)\b/.test(line)) return true;
      // A status first printed bare (`exporting layers`, `transferring context:`), or with figures
      // that grow, and again once it is done: only the last one counts.
      const labels = [`${line} `, `${inProgress.exec(line)?.[1] ?? line} `];
      return !kept.slice(index + 1).some((later) => labels.some((label) => later.startsWith(label)));
    })
    .map((line) => line.replace(transferred, '$1 <size>').replace(statusTime, ''));
}

// The front-end's own vertices, in the order the front-end runs them.
const preludeOrder = [/^building with /, /^\[internal\] load build definition/, /^\[internal\] load \.dockerignore/, /^\[internal\] load metadata /, /^\[auth\] /, /^\[internal\] load build context/];

function rank(name: string): [number, number] {
  const prelude = preludeOrder.findIndex((pattern) => pattern.test(name));
  if (prelude >= 0) return [0, prelude];
  if (name.startsWith('[internal]')) return [0, preludeOrder.length];
  if (name.startsWith('[<stage>] ')) return [1, 0];
  if (instruction.test(name)) return [2, 0];
  return [3, 0];
}

function compareVertices(a: Vertex, b: Vertex): number {
  const [rankA, subA] = rank(a.name);
  const [rankB, subB] = rank(b.name);
  if (rankA !== rankB) return rankA - rankB;
  if (subA !== subB) return subA - subB;
  // Exporting and what else follows the instructions run one after the other: kept as they ran.
  if (rankA === 3) return a.seen - b.seen;
  if (rankA === 2) {
    const [, stageA = '', stepA = '0'] = instruction.exec(a.name) ?? [];
    const [, stageB = '', stepB = '0'] = instruction.exec(b.name) ?? [];
    if (stageA !== stageB) return stageA < stageB ? -1 : 1;
    if (stepA !== stepB) return Number(stepA) - Number(stepB);
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
