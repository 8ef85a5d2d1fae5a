// `id=`: a step named by the page keeps its snapshot key wherever the page moves it.
import { describe, expect, test } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';

const ids = (source: string) => planLesson(readPage(source, 'page.md', 'page')).steps.map((step) => step.id);

describe('id= names a step', () => {
  test('the named step keeps its id when a step is added above it; the steps of a named block are ID, ID-2...', () => {
    const named = '<!-- lesson: id=greeting -->\n```console\n$ echo hello\n$ echo again\n```\n';
    expect(ids(`# A\n\n\`\`\`console\n$ echo one\n\`\`\`\n\n${named}`)).toEqual(['a-1', 'greeting', 'greeting-2']);
    expect(ids(`# A\n\n\`\`\`console\n$ echo zero\n$ echo one\n\`\`\`\n\n${named}`)).toEqual(['a-1', 'a-2', 'greeting', 'greeting-2']);
    // In the info string too; naming a step renames no other.
    expect(ids('# A\n\n```console {id=first}\n$ echo one\n```\n\n```console\n$ echo two\n```\n')).toEqual(['first', 'a-2']);
  });

  test('an id given twice, or one that is another step\'s, is an error at its line', () => {
    const twice = '# A\n\n```console {id=x}\n$ echo one\n```\n\n```console {id=x}\n$ echo two\n```\n';
    expect(() => ids(twice)).toThrow(InputError);
    expect(() => ids(twice)).toThrow(/step id "x" is given twice \(line 3 and here\)/);
    expect(() => ids('# A\n\n```console {id=a-2}\n$ echo one\n```\n\n```console\n$ echo two\n```\n')).toThrow(/step id "a-2" names two steps/);
    expect(() => ids('# A\n\n<!-- lesson: id="two words" -->\n```console\n$ echo one\n```\n')).toThrow(/annotation "id" needs a name/);
  });
});
