// The per-step workload written in each tool's own format: N steps of `echo line-$i; printf 'a\nb\n'`,
// each with its 3 expected lines. `broken` changes one expected line, which every tool must catch.
const command = (i) => `echo line-${i}; printf 'a\\nb\\n'`;
const expected = (i, broken) => [broken && i === 0 ? 'line-changed' : `line-${i}`, 'a', 'b'];
const steps = (n) => Array.from({ length: n }, (_, i) => i);

export const workloads = {
  lesson: {
    file: 'steps.md',
    write: (n, broken) =>
      ['---', 'check-page: true', '---', '# Steps', '', ...steps(n).flatMap((i) => ['```console', `$ ${command(i)}`, ...expected(i, broken), '```', ''])].join('\n'),
  },
  bash: {
    file: 'steps.sh',
    write: (n, broken) =>
      [
        'expected=$(cat <<"EOF"',
        ...steps(n).flatMap((i) => expected(i, broken)),
        'EOF',
        ')',
        'diff <( {',
        ...steps(n).map(command),
        '} ) <(printf "%s\\n" "$expected")',
      ].join('\n'),
  },
  cram: {
    file: 'steps.t',
    write: (n, broken) => steps(n).flatMap((i) => [`  $ ${command(i)}`, ...expected(i, broken).map((l) => `  ${l}`)]).join('\n') + '\n',
  },
  clitest: {
    file: 'steps.txt',
    write: (n, broken) => steps(n).flatMap((i) => [`$ ${command(i)}`, ...expected(i, broken)]).join('\n') + '\n',
  },
  shelltest: {
    file: 'steps.test',
    write: (n, broken) => steps(n).flatMap((i) => [`$ ${command(i)}`, ...expected(i, broken), '>= 0', '']).join('\n'),
  },
  txm: {
    file: 'steps.txm.md',
    write: (n, broken) =>
      ['<!-- !test program bash -->', '', ...steps(n).flatMap((i) => [`<!-- !test in s${i} -->`, '```', command(i), '```', `<!-- !test out s${i} -->`, '```', ...expected(i, broken), '```', ''])].join('\n'),
  },
};
