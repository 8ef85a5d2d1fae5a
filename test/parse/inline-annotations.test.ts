import { describe, expect, test } from 'vitest';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';

const steps = (source: string) => planLesson(readPage(source, 'page.md', 'page')).steps.map(({ line, timeoutMs, fails }) => ({ line, timeoutMs, fails }));

describe('an inline-code command annotated by a comment right before it', () => {
  test('before its paragraph', () => {
    expect(steps('# P\n\n<!-- lesson: fails timeout=5s -->\n`ls /nowhere`\n\n`ls /`\n')).toEqual([
      { line: 4, timeoutMs: 5000, fails: true },
      { line: 6, timeoutMs: undefined, fails: undefined },
    ]);
  });

  test('before its list: every command of the list; the list after it is not annotated', () => {
    expect(steps('# P\n\n<!-- lesson: timeout=5s -->\n- `docker ps`\n- Then:\n  `echo list`\n\nProse.\n\n- `echo other`\n')).toEqual([
      { line: 4, timeoutMs: 5000, fails: undefined },
      { line: 6, timeoutMs: 5000, fails: undefined },
      { line: 10, timeoutMs: undefined, fails: undefined },
    ]);
  });
});
