import { describe, expect, test } from 'vitest';
import { startPageMatching } from '../../src/judge/page-match.js';

const settings = { disable: [], rules: [] };
const check = (page: string, actual: string) => startPageMatching(settings)(page, actual);

describe('what real pages write for elided output', () => {
  test('`......` alone on a line matches any lines, as `...` does; at the end of a line, the rest of it', () => {
    expect(check('Get:1 http://deb.debian.org bookworm InRelease\n......\nReading package lists... Done', 'Get:1 http://deb.debian.org bookworm InRelease\nGet:2 more\nGet:3 more\nReading package lists... Done\n')).toMatchObject({ ok: true, matched: 2, total: 2 });
    expect(check('Setting up figlet ......', 'Setting up figlet (2.2.5-3+b1) ...\n')).toMatchObject({ ok: true });
    expect(check('a\n……\nb', 'a\nx\nb\n')).toMatchObject({ ok: true });
  });
});

describe('generated container names on the page, as the run side reads them', () => {
  test('a name the engine made up on a retry (`lonely_kilby3`) matches the run placeholder too', () => {
    const run = startPageMatching(settings);
    expect(run('CONTAINER ID   IMAGE    NAMES\n3f2a1b9c8d7e   alpine   lonely_kilby3', 'CONTAINER ID IMAGE NAMES\n<id-1> alpine <name-2>\n')).toMatchObject({ ok: true });
    expect(run('lonely_kilby', '<name-1>\n')).toMatchObject({ ok: true });
    // And stands for that one only, as the page's IDs do.
    expect(run('lonely_kilby3', '<name-1>\n')).toMatchObject({ ok: false });
  });
});
