import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { planJson } from '../../src/plan/json.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import { root } from '../helpers.js';

// Each test/plan/corpus/<case>.md is a page written in one of the styles real tutorials use, and
// <case>.plan.yaml the steps of `lesson plan --json` a careful reader would take from it.
const dir = join(root, 'test/plan/corpus');
const pages = readdirSync(dir).filter((file) => file.endsWith('.md')).sort();

function planned(source: string, file: string): unknown {
  const lesson = planLesson(readPage(source, file, file.replace(/\.md$/, '')));
  return (JSON.parse(planJson(lesson)) as { steps: unknown }).steps;
}

describe('the corpus of pages as they are written', () => {
  test('every page has its plan, and every plan its page', () => {
    const plans = readdirSync(dir).filter((file) => file.endsWith('.plan.yaml')).sort();
    expect(plans).toEqual(pages.map((page) => page.replace(/\.md$/, '.plan.yaml')));
    expect(pages.length).toBeGreaterThanOrEqual(25);
  });

  test.each(pages)('%s gives its plan, and so does its CRLF copy', (page) => {
    const source = readFileSync(join(dir, page), 'utf8');
    const expected = parse(readFileSync(join(dir, page.replace(/\.md$/, '.plan.yaml')), 'utf8')) as unknown;
    expect(planned(source, page)).toEqual(expected);
    expect(planned(source.replace(/\n/g, '\r\n'), page)).toEqual(expected);
  });
});
