// A lesson's `requires:` checked before it starts, so a machine without a program the page needs reports
// the lesson as skipped, with the reason, instead of failing it step after step.

import type { EngineChoice } from '../types.js';
import { privateEngineUnavailable } from './engine.js';
import { findProgram } from './find-program.js';

/** Answers for one run: each program is looked up once, however many lessons name it. */
export class Requirements {
  private readonly answers = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly engine: EngineChoice,
    /** --registry-upstream, when given. */
    private readonly upstream?: string,
  ) {}

  /**
   * Why the lesson cannot run here (the first missing requirement), or undefined when it can. `images`
   * are those its front matter declares: on a private engine they come through the image cache.
   */
  async missing(requires: string[], images: string[] = []): Promise<string | undefined> {
    for (const program of requires) {
      const reason = await this.once(program, () => this.check(program));
      if (reason) return reason;
    }
    if (images.length > 0 && requires.includes('docker') && this.engine === 'private') {
      const [{ imagesUnavailable }, { chosenUpstream }] = await Promise.all([import('./image-availability.js'), import('./image-cache.js')]);
      return this.once(`images ${images.join(' ')}`, () => imagesUnavailable(images, chosenUpstream(this.upstream)));
    }
    return undefined;
  }

  private once(key: string, ask: () => Promise<string | undefined>): Promise<string | undefined> {
    let answer = this.answers.get(key);
    if (!answer) this.answers.set(key, (answer = ask()));
    return answer;
  }

  // `docker` means an engine the lesson can use: the docker CLI, and a private engine that can start
  // (unless --engine host points at the user's own).
  private async check(program: string): Promise<string | undefined> {
    // The lesson's shell gets this process's PATH, so that is where its commands will be looked up.
    if (!(await findProgram(program, process.env.PATH ?? ''))) return `${program} not found on PATH`;
    if (program === 'docker' && this.engine === 'private') {
      const reason = await privateEngineUnavailable();
      return reason && `docker: ${reason}`;
    }
    return undefined;
  }
}
