// A private engine has no route out: when an image is in neither the store nor the cache, dockerd falls
// back to Docker Hub and fails with a DNS error that says nothing of images. The step then fails with
// one line naming the image and the ways to get it.

import { imageOf } from '../plan/images.js';
import type { StepResult } from '../types.js';

// dockerd's words for "could not reach a registry", as `docker pull` and `docker run` print them.
const UNREACHABLE = /(?:Error response from daemon: |docker: )Get "https:\/\/[^"]+": (?:dial tcp: lookup \S+|dial tcp [^:]+:\d+: connect: network is unreachable|net\/http: request canceled while waiting for connection)/;

/** The image a failed pull was for: from docker's own words, else from the command. */
function imageIn(output: string, command: string): string | undefined {
  const unable = /Unable to find image '([^']+)' locally/.exec(output);
  if (unable) return unable[1];
  const pulling = /^(\S+): Pulling from (\S+)$/m.exec(output);
  if (pulling) return `${pulling[2]!.replace(/^library\//, '')}:${pulling[1]}`;
  for (const line of command.split('\n')) {
    const image = imageOf(line);
    if (image) return image;
  }
  return undefined;
}

/** The step, failed with a message naming the image, when its output shows an image that could not be had. */
export function explainUnreachableImage(result: StepResult, engineKind: string | undefined): StepResult {
  if (engineKind !== 'private' || result.error || result.exitCode === 0 || !UNREACHABLE.test(result.output)) return result;
  const { step } = result;
  const image = imageIn(result.output, step.kind === 'command' || step.kind === 'interactive' ? step.command : '') ?? 'the image';
  return {
    ...result,
    error:
      `${image} is neither in the image cache nor reachable from the lesson's private engine (it has no network): ` +
      `run the lesson once where the upstream registry is reachable to cache it, or set LESSON_REGISTRY_UPSTREAM to a registry mirror this machine reaches, ` +
      `and name it in the front matter's \`images:\` if no command names it`,
  };
}

/** The step, failed with what went wrong between its engine and the registries, when something did. */
export function explainImageFaults(result: StepResult, faults: string[] = []): StepResult {
  if (faults.length === 0 || result.error || result.exitCode === 0) return result;
  return { ...result, error: faults.join('; ') };
}
