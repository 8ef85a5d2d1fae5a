// Property-based tests: thousands of generated and mutated pages, outputs and snapshot files. Whatever
// they hold, the parser fails only with a message naming a line of the file, the plan is the same each
// time, normalizing twice changes nothing, and a snapshot file reads or fails naming its line.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { chosenPort, mayHoldAddress, privateAddress } from '../../src/normalize/addresses.js';
import { hexId, mayHoldId, overlayLink } from '../../src/normalize/ids.js';
import { normalizeRun, type NormalizeContext } from '../../src/normalize/index.js';
import { cleanTerminal, renderTerminal } from '../../src/normalize/terminal.js';
import { kernelPatterns } from '../../src/normalize/kernel.js';
import { timePatterns } from '../../src/normalize/times.js';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import { formatSnapshot, readSnapshot } from '../../src/snapshot/store.js';
import type { Lesson, Snapshot } from '../../src/types.js';
import { InputError } from '../../src/errors.js';
import { root } from '../helpers.js';

// PROPERTY_RUNS=20000 npx vitest run test/properties.test.ts digs deeper.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const figures = { generatedPages: 0, mutatedPages: 0, planned: 0, steps: 0, refused: 0, outputs: 0, snapshotFiles: 0 };
afterAll(() => console.info(`property runs: ${JSON.stringify(figures)}`));

// --- Pages -----------------------------------------------------------------------------------------

const word = fc.constantFrom('docker', 'run', 'alpine', 'echo', 'hello', 'ls', '-la', 'Café', '❯', '|', '&&', '"quoted"', "'q'", '$HOME', '\\', '`x`', '*', '_', '<b>', '{x}');
const words = fc.array(word, { minLength: 1, maxLength: 6 }).map((list) => list.join(' '));
const junk = fc.string({ unit: 'binary', maxLength: 20 });
const prompt = fc.constantFrom('$ ', '# ', 'user@host:~/dir$ ', 'root@3f2a:/# ', 'ubuntu@vps ~/t ❯❯❯ ', '~/dir $ ', '/ # ', 'host$ ', 'PS C:\\> ', '> ', '');
const shellLine = fc.oneof(
  fc.tuple(prompt, words).map(([p, w]) => p + w),
  words,
  fc.constantFrom('docker run -it alpine', 'docker run -it alpine sh', 'exit', 'echo a \\', '# a comment', ''),
  junk,
);
const fenceMark = fc.constantFrom('```', '~~~', '````', '``', '```   ');
const info = fc.constantFrom('', 'console', 'sh', 'bash', 'dockerfile', 'text', 'json', 'powershell', '{title=Dockerfile}', 'text {file=app/main.py}', 'console {timeout=5s}', 'sh {timeout=soon}', '{.bash}', 'console {keys="Ctrl+P Ctrl+Q"}');
const fence = fc
  .tuple(fenceMark, info, fc.array(shellLine, { maxLength: 8 }), fc.constantFrom('same', 'shorter', 'longer', 'none'))
  .map(([mark, lang, body, close]) => {
    const closer = { same: mark.trim(), shorter: mark.trim().slice(1), longer: mark.trim() + mark.trim()[0], none: undefined }[close];
    return [mark + lang, ...body, ...(closer === undefined ? [] : [closer])].join('\n');
  });
const block = fc.oneof(
  { weight: 4, arbitrary: fence },
  { weight: 2, arbitrary: words },
  fc.tuple(fc.integer({ min: 1, max: 7 }), words).map(([level, text]) => `${'#'.repeat(level)} ${text}`),
  fc.constantFrom('Dockerfile', 'Dockerfile.base', 'app/main.py', '../escape.txt', '/etc/passwd', 'notes.txt', 'README'),
  fc.constantFrom('<!-- lesson: keys="Ctrl+P Ctrl+Q" -->', '<!-- lesson: fails unordered -->', '<!-- lesson: skip="later" -->', '<!-- lesson: bogus=1 -->', '<!-- lesson: timeout=never -->', '<!-- lesson: keys=Ctrl+Nope -->', '<!-- not ours -->', '<!-- lesson:'),
  fc.tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom('- ', '* ', '1. ', '> ', '>> '), words).map(([depth, marker, text]) => `${'  '.repeat(depth)}${marker}${text}`),
  fc.tuple(fc.constantFrom('> ', '- ', '  '), fence).map(([lead, text]) => text.split('\n').map((line) => lead + line).join('\n')),
  junk,
);
const frontMatter = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '---\ntitle: A page\nrequires: [docker]\ntimeout: 30s\n---\n',
    "---\nprompts: ['evil> ']\nnormalize: { disable: [tables], rules: [{ pattern: 'took \\d+', replace: 'took N' }] }\n---\n",
    '---\ntimeout: soon\n---\n',
    '---\nunknown: 1\n---\n',
    '---\ntitle: [unclosed\n---\n',
    "---\nprompts: ['(']\n---\n",
    '---\n---\n',
    '---\ntitle: no end\n',
  ),
);
const generatedPage = fc
  .tuple(frontMatter, fc.array(block, { maxLength: 25 }), fc.constantFrom('\n', '\n\n'), fc.boolean())
  .map(([front, blocks, gap, finalNewline]) => front + blocks.join(gap) + (finalNewline ? '\n' : ''));

/** Small edits anywhere in a real page: what a half-finished edit or a bad merge leaves. */
const mutation = fc.oneof(
  fc.tuple(fc.constant('delete' as const), fc.nat(), fc.nat({ max: 200 })),
  fc.tuple(fc.constant('insert' as const), fc.nat(), fc.oneof(junk, fenceMark, shellLine, block)),
  fc.tuple(fc.constant('duplicate' as const), fc.nat(), fc.nat({ max: 200 })),
  fc.tuple(fc.constant('truncate' as const), fc.nat(), fc.constant(0)),
);
type Mutation = ['delete', number, number] | ['insert', number, string] | ['duplicate', number, number] | ['truncate', number, number];

function mutate(text: string, [kind, at, what]: Mutation): string {
  const position = text.length === 0 ? 0 : at % (text.length + 1);
  switch (kind) {
    case 'delete':
      return text.slice(0, position) + text.slice(position + what);
    case 'insert':
      return text.slice(0, position) + what + text.slice(position);
    case 'duplicate':
      return text.slice(0, position + what) + text.slice(position, position + what) + text.slice(position + what);
    case 'truncate':
      return text.slice(0, position);
  }
}

const realPages = readdirSync(join(root, 'lessons'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => readFileSync(join(root, 'lessons', name), 'utf8'));
const mutatedPage = fc
  .tuple(fc.constantFrom(...realPages), fc.array(mutation as fc.Arbitrary<Mutation>, { minLength: 1, maxLength: 6 }))
  .map(([page, edits]) => edits.reduce(mutate, page));

/** The page's plan, or the InputError it gives; anything else thrown fails the property. */
function plan(source: string): Lesson | InputError {
  try {
    return planLesson(readPage(source, 'page.md', 'page'));
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
}

function linesOf(source: string): number {
  return source.replace(/\r\n?/g, '\n').split('\n').length;
}

function checkPage(source: string): void {
  const lines = linesOf(source);
  const inFile = (line: number) => expect(line >= 1 && line <= lines, `line ${line} of ${lines}`).toBe(true);
  const first = plan(source);
  if (first instanceof InputError) {
    figures.refused++;
    expect(first.file).toBe('page.md');
    if (first.line !== undefined) inFile(first.line);
  } else {
    figures.planned++;
    figures.steps += first.steps.length;
    for (const step of first.steps) inFile(step.line);
  }
  // Deterministic, and a CRLF page reads exactly as the LF one.
  expect(plan(source)).toEqual(first);
  expect(plan(source.replace(/\r?\n/g, '\r\n'))).toEqual(first);
}

describe('the parser and planner, on pages nobody wrote', () => {
  test('generated pages: never an unexpected exception, lines inside the file, the same plan each time', () => {
    fc.assert(
      fc.property(generatedPage, (source) => {
        figures.generatedPages++;
        checkPage(source);
      }),
      { numRuns: RUNS },
    );
  });

  test('mutated real pages: the same', () => {
    fc.assert(
      fc.property(mutatedPage, (source) => {
        figures.mutatedPages++;
        checkPage(source);
      }),
      { numRuns: RUNS },
    );
  });
});

// --- Normalizers -----------------------------------------------------------------------------------

const workdir = '/tmp/lesson-layers-Ab12Cd/work';
const engine = '/tmp/lesson-9fE3aB';
const names = ['hungry_hopper', 'quirky_turing', 'eager_curie'];
const context: NormalizeContext = { settings: { disable: [], rules: [] }, paths: { [workdir]: '<workdir>', [engine]: '<engine>' }, names };

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const volatile = fc.oneof(
  hex(12),
  hex(64),
  hex(64).map((id) => `sha256:${id}`),
  hex(20).map((id) => `file:${id}...`),
  fc.constantFrom('9 minutes ago', 'Less than a second ago', 'About an hour ago', 'Up 3 seconds', 'Exited (0) 2 seconds ago'),
  fc.constantFrom('2026-11-28T12:56:41.123456789Z', '2026-11-28 12:56:41.5 +0100 CET m=+0.001', 'Sat Nov 28 12:56:41 UTC 2026', 'Sat, 28 Nov 2026 12:56:41 GMT'),
  fc.constantFrom('DONE 0.3s', '#6 0.215 hello', '1m2.5s', '350ms', '12us', '5.2µs', '3ns', '2h1m0.5s'),
  fc.constantFrom('-rw-r--r-- 1 root root 6 Dec  1 21:57 f', 'drwxr-xr-x 2 root root 4096 Mar 14  2025 d', '\n-rw-r--r-- 1 a b 6 2026-12-01 21:57 f'),
  fc.constantFrom('Linux box 6.1.0-18-amd64 #1 SMP Debian 6.1.76-1 x86_64 GNU/Linux', '\n6.1.0-18-amd64', 'Kernel Version: 6.6.12-linuxkit', '\n#1 SMP PREEMPT_DYNAMIC x'),
  fc.constantFrom(...names),
  fc.constantFrom(workdir, `${workdir}/app`, `${engine}/data/overlay2`),
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), minLength: 26, maxLength: 26 }).map((link) => `l/${link}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([b, c, d]) => `172.${b}.${c}.${d}`),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 8, max: 30 })).map(([b, bits]) => `10.${b}.0.0/${bits}`),
  fc.tuple(fc.constantFrom('0.0.0.0:', ':::', '127.0.0.1:'), fc.integer({ min: 32768, max: 60999 })).map(([at, port]) => `${at}${port}->80/tcp`),
);
const plain = fc.oneof(
  fc.constantFrom('IMAGE', 'CREATED BY', '<missing>', 'Step 1/2 : FROM alpine', ' ---> ', 'Successfully built', 'ok', 'deadbeef', 'défi ❯'),
  fc.constantFrom('\x1b[31m', '\x1b[0m', '\x1b[2K', '\r', '\t', '   ', '  ', ' ', '\x1b]0;title\x07', '\b', '\u2028', '\u2029'),
  fc.string({ maxLength: 8 }),
);
const outputLine = fc.array(fc.oneof(volatile, plain), { maxLength: 8 }).map((parts) => parts.join(''));
const output = fc.array(outputLine, { maxLength: 8 }).map((lines) => lines.join('\n'));
/** A line no normalizer touches: no hex letter, digit, `_` or `/`, no escape, single spaces. */
const neutralLine = fc.array(fc.string({ unit: fc.constantFrom(...'ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ.,:;!?()'), minLength: 1, maxLength: 8 }), { maxLength: 5 }).map((parts) => parts.join(' '));

describe('normalizers, on generated outputs', () => {
  test('skip only outputs they would not change: the quick tests in front of the patterns', () => {
    // Texts with no digit at all too, where only Docker's spelled-out durations are times.
    const digitFree = fc.array(fc.oneof(plain, fc.constantFrom('Less than a second ago', 'Up About an hour', 'About a minute ago')), { maxLength: 6 }).map((parts) => parts.join('').replace(/\d/g, ''));
    const anyText = fc.oneof(output, digitFree, fc.string(), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(anyText, (text) => {
        expect(cleanTerminal(text)).toBe(renderTerminal(text));
        for (const { pattern, needs } of [...timePatterns, ...kernelPatterns]) if (!needs.test(text)) expect(text.search(pattern)).toBe(-1);
        if (!mayHoldId.test(text)) for (const pattern of [hexId, overlayLink]) expect(text.search(pattern)).toBe(-1);
        if (!mayHoldAddress.test(text)) for (const pattern of [privateAddress, chosenPort]) expect(text.search(pattern)).toBe(-1);
      }),
      { numRuns: RUNS },
    );
  });

  test('are idempotent: normalizing a normalized run changes nothing', () => {
    fc.assert(
      fc.property(fc.array(output, { minLength: 1, maxLength: 5 }), (outputs) => {
        figures.outputs += outputs.length;
        for (const each of [context, { ...context, hostEngine: true }]) {
          const once = normalizeRun(outputs, each);
          expect(normalizeRun(once, each)).toEqual(once);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('number placeholders the same whatever lines without a volatile value are added', () => {
    const withInserts = fc.array(fc.tuple(output, fc.array(fc.tuple(fc.nat(), neutralLine), { maxLength: 4 })), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(withInserts, (steps) => {
        figures.outputs += steps.length;
        const originals = steps.map(([text]) => text);
        const added = steps.map(([text, inserts]) => {
          const lines = text.split('\n').map((line) => ({ line, added: false }));
          for (const [at, line] of inserts) lines.splice(at % (lines.length + 1), 0, { line, added: true });
          return lines;
        });
        const normalized = normalizeRun(added.map((lines) => lines.map((l) => l.line).join('\n')), context);
        const withoutAdded = normalized.map((text, i) => text.split('\n').filter((_, j) => !added[i]![j]!.added).join('\n'));
        expect(withoutAdded).toEqual(normalizeRun(originals, context));
      }),
      { numRuns: RUNS },
    );
  });
});

// --- Snapshot files --------------------------------------------------------------------------------

const folder = mkdtempSync(join(tmpdir(), 'lesson-properties-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const entry = fc.record({
  line: fc.integer({ min: 1, max: 500 }),
  command: fc.option(fc.string(), { nil: undefined }),
  exit: fc.integer({ min: -1, max: 255 }),
  output: fc.oneof(output, fc.string({ unit: 'binary' })),
});
const snapshot: fc.Arbitrary<Snapshot> = fc.record({
  lesson: fc.constant('lessons/page.md'),
  environment: fc.dictionary(fc.constantFrom('docker client', 'docker server', 'builder'), fc.string()),
  steps: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), entry, { maxKeys: 6 }),
});
const yamlEdit = fc.oneof(mutation as fc.Arbitrary<Mutation>, fc.tuple(fc.constant('insert' as const), fc.nat(), fc.constantFrom(':', '- ', '[', '{', '&a ', '*a', '!!binary ', '|', '>', '\t', '  ', '\n', '"', "'", '#', '---\n', '%YAML 1.2\n')));

describe('snapshot files', () => {
  test('round-trip whatever the outputs hold', () => {
    fc.assert(
      fc.property(snapshot, (recorded) => {
        figures.snapshotFiles++;
        const file = join(folder, 'round.yaml');
        writeFileSync(file, formatSnapshot(recorded));
        expect(readSnapshot(file)).toEqual(JSON.parse(JSON.stringify(recorded)));
      }),
      { numRuns: RUNS / 2 },
    );
  });

  test('edited by hand, read or fail naming the file and a line of it', () => {
    fc.assert(
      fc.property(snapshot, fc.array(yamlEdit, { minLength: 1, maxLength: 4 }), (recorded, edits) => {
        figures.snapshotFiles++;
        const file = join(folder, 'edited.yaml');
        const text = edits.reduce(mutate, formatSnapshot(recorded));
        writeFileSync(file, text);
        try {
          readSnapshot(file);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).file).toBe(file);
          const line = (error as InputError).line ?? 1;
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(text.split('\n').length);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
