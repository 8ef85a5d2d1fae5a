import { describe, expect, test } from 'vitest';
import { judgeStep } from '../../src/judge/judge-step.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';

const plan = (source: string) => planLesson(readPage(source, 'page.md', 'page'));
const timeouts = (source: string) => plan(source).steps.map((step) => step.timeoutMs);

describe('a session the page shows no way out of', () => {
  const session = '```console\n$ docker run -it alpine sh\n/ # ls\n```\n';

  test('waits 20 s, not the lesson default, unless the page or its front matter sets a timeout', () => {
    expect(timeouts(session)).toEqual([20_000]);
    expect(timeouts(`---\ntimeout: 5m\n---\n${session}`)).toEqual([undefined]);
    expect(timeouts(`<!-- lesson: timeout=45s -->\n${session}`)).toEqual([45_000]);
  });

  test('a way out, or a later block going on in it, keeps the default', () => {
    expect(timeouts('```console\n$ docker run -it alpine sh\n/ # exit\n```\n')).toEqual([undefined]);
    expect(timeouts(`<!-- lesson: keys="Ctrl+P Ctrl+Q" -->\n${session}`)).toEqual([undefined]);
    expect(timeouts(`${session}\nThen:\n\n\`\`\`console\n/ # hostname\n\`\`\`\n`)).toEqual([undefined, undefined]);
    expect(timeouts('```\ndocker run -it --rm alpine ls\n```\n')).toEqual([undefined]);
  });

  test('its failure says the page shows no way out', () => {
    const [step] = plan(session).steps;
    const result = { step: step!, exitCode: null, output: '/ # ls\n', durationMs: 20_000, timedOut: true };
    const { verdict } = judgeStep(step!, result, { defaultTimeoutMs: 120_000, mode: { update: false, ci: false } });
    expect(verdict.message).toBe('timed out after 20s: the page shows no way out of this session; type exit on the page, or annotate keys="…"');
  });
});
