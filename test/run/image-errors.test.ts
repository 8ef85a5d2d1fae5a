import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainUnreachableImage } from '../../src/run/image-errors.js';
import type { Step, StepResult } from '../../src/types.js';

// Recorded from a private engine asked for an image its cache never had.
const missing = readFileSync(new URL('../fixtures/outputs/pulls/pull-missing.txt', import.meta.url), 'utf8');

function result(command: string, output: string, exitCode = 1): StepResult {
  const step: Step = { id: 'pull-1', kind: 'command', line: 3, command };
  return { step, exitCode, output, durationMs: 1 };
}

describe('an image neither cached nor reachable', () => {
  it('fails its step with one line naming the image and the fixes', () => {
    const explained = explainUnreachableImage(result('docker pull nosuch/image', missing), 'private');
    expect(explained.error).toMatch(/^nosuch\/image is neither in the image cache nor reachable/);
    expect(explained.error).toContain('LESSON_REGISTRY_UPSTREAM');
    expect(explained.error).not.toContain('\n');
    expect(explained.output).toBe(missing);
  });

  it('names the image docker says it could not find, for a run', () => {
    const output = `Unable to find image 'redis:7' locally\ndocker: ${missing.split('\n')[1]}.\n`;
    expect(explainUnreachableImage(result('docker run -d --name cache -p 6379:6379 redis:7', output, 125), 'private').error).toMatch(/^redis:7 is neither/);
  });

  it('leaves other failures, successes and the host engine alone', () => {
    const other = result('docker pull ubuntu', 'Error response from daemon: manifest unknown');
    expect(explainUnreachableImage(other, 'private')).toBe(other);
    const ok = result('docker pull ubuntu', missing, 0);
    expect(explainUnreachableImage(ok, 'private')).toBe(ok);
    const host = result('docker pull nosuch/image', missing);
    expect(explainUnreachableImage(host, 'host')).toBe(host);
  });
});
