import { describe, expect, it } from 'vitest';
import { explainImageFaults, explainUnreachableImage } from '../../src/run/image-errors.js';
import type { Step, StepResult } from '../../src/types.js';

function result(command: string, output: string, exitCode = 125): StepResult {
  const step: Step = { id: 'run-1', kind: 'command', line: 7, command };
  return { step, exitCode, output, durationMs: 1 };
}

// What docker 28's CLI prints when `docker run` falls back to Docker Hub from a private engine.
const fellBack = `Unable to find image 'ubuntu:latest' locally
latest: Pulling from library/ubuntu
docker: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: dial udp 10.255.255.53:53: connect: network is unreachable

Run 'docker run --help' for more information
`;

describe('faults on the way to images, in a step', () => {
  it('names the image when docker run says `docker: Get …`', () => {
    expect(explainUnreachableImage(result('docker run --rm ubuntu true', fellBack), 'private').error).toMatch(/^ubuntu:latest is neither in the image cache nor reachable/);
  });

  it("says what the relay saw rather than docker's fallback, for a failed step only", () => {
    const fault = 'the image cache stopped answering during the pull (ENOENT); its log: /x/registry.log. The next run starts it again';
    const failed = explainUnreachableImage(explainImageFaults(result('docker run --rm ubuntu true', fellBack), [fault]), 'private');
    expect(failed.error).toBe(fault);
    const passed = result('docker run --rm ubuntu true', 'hello\n', 0);
    expect(explainImageFaults(passed, [fault])).toBe(passed);
    expect(explainImageFaults(result('docker run --rm ubuntu true', fellBack), [])).not.toHaveProperty('error');
  });
});
