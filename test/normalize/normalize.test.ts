import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInNormalizers, normalizeRun, type NormalizeContext } from '../../src/normalize/index.js';
import { readFrontMatter } from '../../src/parse/front-matter.js';

// Outputs recorded in the shapes docker 20.10 (legacy builder) and 28 (BuildKit) print, with their
// tabwriter padding, and jq's colours and CRLF as a pseudo-terminal delivers them.
function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/outputs/${name}`, import.meta.url), 'utf8');
}

function normalize(outputs: string[], context: Partial<NormalizeContext> = {}): string[] {
  return normalizeRun(outputs, { settings: { disable: [], rules: [] }, ...context });
}

function normalizeOne(output: string, context: Partial<NormalizeContext> = {}): string {
  return normalize([output], context)[0]!;
}

/** Expected text, one argument per line, ending with a newline as command output does. */
function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}

// The shorter path first on purpose: the order given must not decide which one wins.
const engine = {
  '/tmp/lesson-3a9f1c2e4b7d': '<tmp>',
  '/tmp/lesson-3a9f1c2e4b7d/engine': '<engine>',
};

describe('builtInNormalizers', () => {
  it('lists every built-in by name, in the order they apply', () => {
    expect(builtInNormalizers).toEqual(['ansi', 'pulls', 'paths', 'rootless', 'buildkit', 'kernel', 'times', 'names', 'ids', 'addresses', 'compose', 'tables']);
  });
});

describe('a layers lesson run', () => {
  const outputs = [
    fixture('build-layers1.txt'),
    fixture('build-layers2.txt'),
    fixture('history-layers1.txt'),
    fixture('history-layers2.txt'),
  ];
  const [build1, build2, history1, history2] = normalize(outputs);

  it('numbers the IDs of the first build by first appearance', () => {
    expect(build1).toBe(
      lines(
        'Sending build context to Docker daemon  3.072kB',
        'Step 1/2 : FROM alpine',
        'latest: Pulling from library/alpine',
        '<id-1>: Pull complete',
        'Digest: sha256:<id-2>',
        'Status: Downloaded newer image for alpine:latest',
        ' ---> <id-3>',
        'Step 2/2 : RUN touch /test',
        ' ---> Running in <id-4>',
        'Removing intermediate container <id-4>',
        ' ---> <id-5>',
        'Successfully built <id-5>',
        'Successfully tagged revollat/layers1:latest',
      ),
    );
  });

  it('keeps numbering across outputs, so a cached layer shows the number it got in the earlier build', () => {
    expect(build2).toBe(
      lines(
        'Sending build context to Docker daemon  3.072kB',
        'Step 1/3 : FROM alpine',
        ' ---> <id-3>',
        'Step 2/3 : RUN touch /test',
        ' ---> Using cache',
        ' ---> <id-5>',
        'Step 3/3 : RUN touch /autre-fichier',
        ' ---> Running in <id-6>',
        'Removing intermediate container <id-6>',
        ' ---> <id-7>',
        'Successfully built <id-7>',
        'Successfully tagged revollat/layers2:latest',
      ),
    );
  });

  it('gives the layers shared by two history tables the same placeholders as the builds', () => {
    expect(history1).toBe(
      lines(
        'IMAGE  CREATED  CREATED BY  SIZE  COMMENT',
        '<id-5>  <ago>  /bin/sh -c touch /test  0B',
        '<id-3>  <ago>  /bin/sh -c #(nop)  CMD ["/bin/sh"]  0B',
        '<missing>  <ago>  /bin/sh -c #(nop) ADD file:<id-8>...  4.14MB',
      ),
    );
    expect(history2).toBe(
      lines(
        'IMAGE  CREATED  CREATED BY  SIZE  COMMENT',
        '<id-7>  <ago>  /bin/sh -c touch /autre-fichier  0B',
        '<id-5>  <ago>  /bin/sh -c touch /test  0B',
        '<id-3>  <ago>  /bin/sh -c #(nop)  CMD ["/bin/sh"]  0B',
        '<missing>  <ago>  /bin/sh -c #(nop) ADD file:<id-8>...  4.14MB',
      ),
    );
  });

  it('shows a lost layer reuse as a different placeholder', () => {
    const lost = normalize([
      fixture('build-layers1.txt'),
      fixture('build-layers2.lost-reuse.txt'),
      fixture('history-layers1.txt'),
      fixture('history-layers2.lost-reuse.txt'),
    ]);
    // `RUN touch /test` was rebuilt: its layer is <id-7>, no longer <id-5>, the one layers1 has.
    // (The rebuild's extra container also moves the later `file:` hash from <id-8> to <id-10>.)
    expect(lost[2]!.split('\n')[1]).toBe('<id-5>  <ago>  /bin/sh -c touch /test  0B');
    expect(lost[3]).toBe(
      lines(
        'IMAGE  CREATED  CREATED BY  SIZE  COMMENT',
        '<id-9>  <ago>  /bin/sh -c touch /autre-fichier  0B',
        '<id-7>  <ago>  /bin/sh -c touch /test  0B',
        '<id-3>  <ago>  /bin/sh -c #(nop)  CMD ["/bin/sh"]  0B',
        '<missing>  <ago>  /bin/sh -c #(nop) ADD file:<id-10>...  4.14MB',
      ),
    );
  });
});

describe('ids', () => {
  it('gives a short ID and the long ID it abbreviates one placeholder, whichever comes first', () => {
    const long = 'sha256:ca3c65e5b8e7cab7f9a5082201c602912bb623409020020ea456c21159d34892';
    expect(normalize(['Successfully built ca3c65e5b8e7\n', `"Id": "${long}"\n`])).toEqual([
      'Successfully built <id-1>\n',
      '"Id": "sha256:<id-1>"\n',
    ]);
    expect(normalize([`"Id": "${long}"\n`, 'e21c333399e0\nca3c65e5b8e7\n'])).toEqual([
      '"Id": "sha256:<id-1>"\n',
      '<id-2>\n<id-1>\n',
    ]);
  });

  it('ties a truncated `file:` hash to the full hash it starts', () => {
    const full = '2b00f26f60045763b9c358f36f0a31b6ad3e14f309c7cf198ac9246e8316f9ce';
    expect(normalize(['ADD file:2b00f26f6004576... in /\n', `ADD file:${full} in /\n`, 'ADD file:2b00f26f6004…\n'])).toEqual([
      'ADD file:<id-1>... in /\n',
      'ADD file:<id-1> in /\n',
      'ADD file:<id-1>…\n',
    ]);
  });

  it('normalizes docker image inspect JSON: IDs, digests, overlay2 directories, paths and times', () => {
    expect(normalizeOne(fixture('inspect-layers1.txt'), { paths: engine })).toBe(
      lines(
        '[',
        '  {',
        '    "Id": "sha256:<id-1>",',
        '    "RepoTags": [',
        '      "revollat/layers1:latest"',
        '    ],',
        '    "RepoDigests": [],',
        '    "Parent": "sha256:<id-2>",',
        '    "Comment": "",',
        '    "Created": "<time>",',
        '    "Container": "<id-3>",',
        '    "ContainerConfig": {',
        '      "Hostname": "<id-3>",',
        '      "Domainname": "",',
        '      "User": "",',
        '      "Env": [',
        '        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
        '      ],',
        '      "Cmd": [',
        '        "/bin/sh",',
        '        "-c",',
        '        "touch /test"',
        '      ],',
        '      "Image": "sha256:<id-2>",',
        '      "Volumes": null,',
        '      "WorkingDir": "",',
        '      "Entrypoint": null,',
        '      "OnBuild": null,',
        '      "Labels": {}',
        '    },',
        '    "DockerVersion": "20.10.24",',
        '    "Author": "",',
        '    "Architecture": "amd64",',
        '    "Os": "linux",',
        '    "Size": 5590900,',
        '    "VirtualSize": 5590900,',
        '    "GraphDriver": {',
        '      "Data": {',
        '        "LowerDir": "<engine>/overlay2/<id-4>/diff",',
        '        "MergedDir": "<engine>/overlay2/<id-5>/merged",',
        '        "UpperDir": "<engine>/overlay2/<id-5>/diff",',
        '        "WorkDir": "<engine>/overlay2/<id-5>/work"',
        '      },',
        '      "Name": "overlay2"',
        '    },',
        '    "RootFS": {',
        '      "Type": "layers",',
        '      "Layers": [',
        '        "sha256:<id-6>",',
        '        "sha256:<id-7>"',
        '      ]',
        '    },',
        '    "Metadata": {',
        '      "LastTagTime": "<time>"',
        '    }',
        '  }',
        ']',
      ),
    );
  });

  it('links the build, the history and the inspect of one image through their IDs', () => {
    const [, , inspect] = normalize(
      [fixture('build-layers1.txt'), fixture('history-layers1.txt'), fixture('inspect-layers1.txt')],
      { paths: engine },
    );
    // The image is <id-5> in the build; its parent alpine <id-3>; the build container <id-4>.
    expect(inspect).toContain('"Id": "sha256:<id-5>"');
    expect(inspect).toContain('"Parent": "sha256:<id-3>"');
    expect(inspect).toContain('"Container": "<id-4>"');
    expect(inspect).toContain('"Hostname": "<id-4>"');
  });

  it('replaces overlay2 link names under l/', () => {
    expect(normalizeOne('l/6Y5IM2XC7TSNIJZZFLJCS6I4I4:l/QGIH2JQCSJY4AHWWZUGJEMYHXE\nl/6Y5IM2XC7TSNIJZZFLJCS6I4I4\n')).toBe(
      'l/<id-1>:l/<id-2>\nl/<id-1>\n',
    );
  });

  it.each([
    ['a word made of hex letters', 'the layer was defaced and accededdefaced'],
    ['twelve hex letters without a digit', 'deadbeefcafe'],
    ['12 hex inside a 40-hex commit', 'commit 9fceb02d0ae598e95dc970b74767f19372d61af8'],
    ['13 hex digits', 'ca3c65e5b8e71'],
    ['12 hex glued to a word', 'xca3c65e5b8e7 ca3c65e5b8e7_x'],
    ['uppercase hex', 'CA3C65E5B8E7'],
    ['a 63-hex run without an ellipsis', 'ca3c65e5b8e7cab7f9a5082201c602912bb623409020020ea456c21159d3489'],
    ['a truncated hash shorter than 12', 'file:2b00f26f600...'],
  ])('leaves %s alone', (_, text) => {
    expect(normalizeOne(`${text}\n`)).toBe(`${text}\n`);
  });
});

describe('times', () => {
  it.each([
    ['9 minutes ago', '<ago>'],
    ['5 weeks ago', '<ago>'],
    ['1 second ago', '<ago>'],
    ['Less than a second ago', '<ago>'],
    ['About a minute ago', '<ago>'],
    ['About an hour ago', '<ago>'],
    ['Created 2 years ago.', 'Created <ago>.'],
    ['Up 3 seconds', 'Up <duration>'],
    ['Up About an hour (healthy)', 'Up <duration> (healthy)'],
    ['Up Less than a second', 'Up <duration>'],
    ['Exited (0) 2 seconds ago', 'Exited (0) <ago>'],
    ['"Created": "2026-11-28T12:56:41.123456789Z",', '"Created": "<time>",'],
    ['2026-11-28T12:56:41+01:00', '<time>'],
    ['2026-11-28T12:56:41Z.', '<time>.'],
    ['2026-11-28 12:56:41 +0000 UTC', '<time>'],
    ['2026-11-28 12:56:41.5 +0100 CET m=+0.001234567 done', '<time> done'],
    ['Sat Nov 28 12:56:41 UTC 2026', '<time>'],
    ['Sun Nov  8 02:06:41 UTC 2026', '<time>'],
    ['Date: Sat, 28 Nov 2026 12:56:41 GMT', 'Date: <time>'],
    ['#5 DONE 0.3s', '#5 DONE <duration>'],
    ['[+] Building 12.4s (7/7) FINISHED', '[+] Building <duration> (7/7) FINISHED'],
    ['took 1m2.5s, then 350ms', 'took <duration>, then <duration>'],
    ['#5 0.215 created', '#5 <duration> created'],
  ])('%j → %j', (text, expected) => {
    expect(normalizeOne(text)).toBe(expected);
  });

  it.each([
    ['a size', '4.14MB 3.072kB 0B'],
    ['a bare number of seconds', 'sleep 5s'],
    ['a version', 'v1.2.3s 20.10.24'],
    ['a step counter', 'Step 2/3 : RUN sleep 2'],
    ['a date alone', '2026-11-28'],
  ])('leaves %s alone', (_, text) => {
    expect(normalizeOne(text)).toBe(text);
  });

  it('normalizes BuildKit plain progress, and the image it writes is the one numbered elsewhere', () => {
    const [buildkit, history] = normalize([fixture('build-layers1.buildkit.txt'), fixture('history-layers1.txt')]);
    expect(buildkit).toBe(
      lines(
        '#0 building with "default" instance using docker driver',
        '',
        '#1 [internal] load build definition from Dockerfile.base',
        '#1 transferring dockerfile: <size> done',
        '#1 DONE <duration>',
        '',
        '#2 [internal] load .dockerignore',
        '#2 transferring context: <size> done',
        '#2 DONE <duration>',
        '',
        '#3 [internal] load metadata for docker.io/library/alpine:latest',
        '#3 DONE <duration>',
        '',
        '#4 [1/2] FROM docker.io/library/alpine:latest@sha256:<id-1>',
        '#4 resolve docker.io/library/alpine:latest@sha256:<id-1> done',
        '#4 sha256:<id-2> 3.64MB / 3.64MB done',
        '#4 extracting sha256:<id-2> done',
        '#4 DONE <duration>',
        '',
        '#5 [2/2] RUN touch /test && echo created',
        '#5 <duration> created',
        '#5 DONE <duration>',
        '',
        '#6 exporting to image',
        '#6 exporting layers done',
        '#6 writing image sha256:<id-3> done',
        '#6 naming to docker.io/revollat/layers1 done',
        '#6 DONE <duration>',
      ),
    );
    expect(history!.split('\n')[1]).toBe('<id-3>  <ago>  /bin/sh -c touch /test  0B');
  });
});

describe('names', () => {
  it('numbers generated container names by first appearance, whole names only', () => {
    const names = ['eager_turing', 'hungry_hopper', 'unused_name'];
    expect(normalize([fixture('container-ls.txt'), 'hungry_hopper2 is another container\n'], { names })).toEqual([
      lines(
        'CONTAINER ID  IMAGE  COMMAND  CREATED  STATUS  PORTS  NAMES',
        '<id-1>  revollat/layers2  "/bin/sh"  <ago>  Up <duration>  <name-1>',
        '<id-2>  alpine  "true"  <ago>  Exited (0) <ago>  <name-2>',
      ),
      'hungry_hopper2 is another container\n',
    ]);
  });
});

describe('paths', () => {
  it('replaces the longest path first, before any hex in it can become an ID', () => {
    expect(normalizeOne('/tmp/lesson-3a9f1c2e4b7d/engine/overlay2 and /tmp/lesson-3a9f1c2e4b7d/work\n', { paths: engine })).toBe(
      '<engine>/overlay2 and <tmp>/work\n',
    );
  });

  it('takes a `$` in a path or placeholder literally', () => {
    expect(normalizeOne('cd /home/$1/x\n', { paths: { '/home/$1': '<$home>' } })).toBe('cd <$home>/x\n');
  });
});

describe('ansi', () => {
  it('turns jq colours and CRLF from a pseudo-terminal into the same text as a plain run', () => {
    const tty = fixture('inspect-layers1.tty.txt');
    expect(tty).toContain('\x1b[0;32m');
    expect(tty).toContain('\r\n');
    expect(normalizeOne(tty, { paths: engine })).toBe(normalizeOne(fixture('inspect-layers1.txt'), { paths: engine }));
  });

  it('keeps what a terminal finally shows of a line redrawn with carriage returns', () => {
    expect(normalizeOne('saving to x\nx  14% |**   | 94208\rx 100% |*****|  652k\n')).toBe('saving to x\nx 100% |*****|  652k\n');
    // Without an erase, a shorter redraw leaves the tail of the longer one on screen.
    expect(normalizeOne('Downloading 100%\rDone\n')).toBe('Doneloading 100%\n');
    expect(normalizeOne('Downloading 100%\r\x1b[KDone\n')).toBe('Done\n');
    expect(normalizeOne('50%\x1b[2K\x1b[1GDone\n')).toBe('Done\n');
    expect(normalizeOne('abc\b\bX\n')).toBe('aXc\n');
  });

  it('drops trailing whitespace, escapes that leave no text, and stray control characters', () => {
    expect(normalizeOne('\x1b]0;title\x07hello \t \nwor\x07ld\x1b[1A\x1b(B  \n')).toBe('hello\nworld\n');
  });
});

describe('tables', () => {
  it('makes docker 20.10 and docker 28 column widths the same text', () => {
    const [wide, narrow] = normalize([fixture('history-layers1.txt'), fixture('history-layers1.docker28.txt')]);
    expect(fixture('history-layers1.txt')).not.toBe(fixture('history-layers1.docker28.txt'));
    expect(wide).toBe(narrow);
  });

  it('keeps indentation and single spaces, and two spaces that belong to a value', () => {
    expect(normalizeOne('    "Cmd": "#(nop)  CMD",   "a b"\n')).toBe('    "Cmd": "#(nop)  CMD",  "a b"\n');
  });

  it('drops column padding at the end of a line even when ansi is off', () => {
    expect(fixture('history-layers1.txt').split('\n')[1]).toMatch(/0B {2,}$/);
    const [history] = normalize([fixture('history-layers1.txt')], { settings: { disable: ['ansi'], rules: [] } });
    expect(history!.split('\n')[1]).toBe('<id-1>  <ago>  /bin/sh -c touch /test  0B');
  });
});

describe('properties', () => {
  const all = [
    'build-layers1.txt',
    'build-layers2.txt',
    'build-layers2.lost-reuse.txt',
    'build-layers1.buildkit.txt',
    'history-layers1.txt',
    'history-layers2.txt',
    'history-layers1.docker28.txt',
    'history-layers2.lost-reuse.txt',
    'container-ls.txt',
    'container-diff.txt',
    'inspect-layers1.txt',
    'inspect-layers1.tty.txt',
  ].map(fixture);
  const context = { paths: engine, names: ['hungry_hopper', 'eager_turing'] };

  it('is idempotent: normalizing normalized output changes nothing', () => {
    const once = normalize(all, context);
    expect(once.join('')).not.toBe(all.join(''));
    expect(normalize(once, context)).toEqual(once);
  });

  it('does not change numbering when lines without volatile values are added', () => {
    const plain = normalize([fixture('build-layers1.txt'), fixture('history-layers1.txt')]);
    const padded = normalize([
      fixture('container-diff.txt'),
      `total 8\n${fixture('build-layers1.txt')}`,
      'no IDs here\n',
      fixture('history-layers1.txt'),
    ]);
    expect(padded[0]).toBe(fixture('container-diff.txt'));
    expect(padded[1]).toBe(`total 8\n${plain[0]}`);
    expect(padded[3]).toBe(plain[1]);
  });

  it('is deterministic, starts numbering afresh for every run and leaves its input alone', () => {
    const input = [...all];
    const first = normalize(input, context);
    expect(normalize(input, context)).toEqual(first);
    expect(input).toEqual(all);
    expect(normalizeOne('e21c333399e0\n')).toBe('<id-1>\n');
  });
});

describe('settings.disable', () => {
  const sample = lines(
    '\x1b[1mca3c65e5b8e7\x1b[0m   \x1b[32m9 minutes ago\x1b[0m   hungry_hopper   /tmp/lesson-3a9f1c2e4b7d/work',
  );
  const context = { names: ['hungry_hopper'], paths: { '/tmp/lesson-3a9f1c2e4b7d/work': '<workdir>' } };
  const without = (name: string) => normalize([sample], { ...context, settings: { disable: [name], rules: [] } })[0];

  it('applies every built-in by default', () => {
    expect(normalizeOne(sample, context)).toBe('<id-1>  <ago>  <name-1>  <workdir>\n');
  });

  it.each([
    // Escapes stay, and the values they colour are still found.
    ['ansi', '\x1b[1m<id-1>\x1b[0m  \x1b[32m<ago>\x1b[0m  <name-1>  <workdir>\n'],
    ['paths', '<id-1>  <ago>  <name-1>  /tmp/lesson-<id-2>/work\n'],
    ['names', '<id-1>  <ago>  hungry_hopper  <workdir>\n'],
    ['times', '<id-1>  9 minutes ago  <name-1>  <workdir>\n'],
    ['ids', 'ca3c65e5b8e7  <ago>  <name-1>  <workdir>\n'],
    ['tables', '<id-1>   <ago>   <name-1>   <workdir>\n'],
  ])('turns off %s by name', (name, expected) => {
    expect(without(name)).toBe(expected);
  });

  it('rejects a name that is not a built-in in the front matter, naming it and its line', () => {
    const read = () => readFrontMatter('title: x\nnormalize: { disable: [timestamps] }', 'page.md', 1);
    expect(read).toThrowError(/"timestamps".*ansi, pulls, paths, rootless, buildkit, kernel, times, names, ids, addresses, compose, tables/);
    expect(read).toThrowError(expect.objectContaining({ location: 'page.md:3' }));
  });
});

describe('settings.rules', () => {
  it('applies custom rules last, with $1 groups, to every match and with ^ at each line', () => {
    const rules = [
      { pattern: '^Successfully tagged (\\w+)/', replace: 'Tagged for $1: ' },
      { pattern: '<id-\\d+>', replace: '<id>' },
    ];
    expect(normalizeOne(fixture('build-layers1.txt'), { settings: { disable: [], rules } }).split('\n').slice(-4)).toEqual([
      ' ---> <id>',
      'Successfully built <id>',
      'Tagged for revollat: layers1:latest',
      '',
    ]);
  });

  it('throws on an invalid pattern, naming it, even with nothing to normalize', () => {
    const settings = { disable: [], rules: [{ pattern: 'size: (\\d+', replace: '<size>' }] };
    expect(() => normalizeRun([], { settings })).toThrowError('invalid normalize rule pattern "size: (\\\\d+"');
  });
});

describe('addresses, on the user\'s own engine only', () => {
  const host = { settings: { disable: [], rules: [] }, hostEngine: true };
  it('subnets, container addresses and the host ports the engine chose are numbered; chosen ports and public addresses stay', () => {
    const [inspect, ps, port] = normalizeRun(
      [
        '"Subnet": "172.19.0.0/16",\n"Gateway": "172.19.0.1"\n"IPAddress": "172.19.0.2"',
        'web  0.0.0.0:49153->80/tcp, :::49153->80/tcp   8080->80 0.0.0.0:8080->80/tcp',
        '80/tcp -> 0.0.0.0:49153\nnameserver 8.8.8.8 and 192.168.1.20',
      ],
      host,
    );
    expect(inspect).toBe('"Subnet": "<subnet-1>",\n"Gateway": "<ip-1>"\n"IPAddress": "<ip-2>"');
    expect(ps).toBe('web  0.0.0.0:<port-1>->80/tcp, :::<port-1>->80/tcp  8080->80 0.0.0.0:8080->80/tcp');
    expect(port).toBe('80/tcp -> 0.0.0.0:<port-1>\nnameserver 8.8.8.8 and <ip-3>');
  });

  it('a fresh private engine keeps them: they are what a lesson teaches', () => {
    const [out] = normalizeRun(['"IPAddress": "172.17.0.2" 0.0.0.0:49153->80/tcp'], { settings: { disable: [], rules: [] } });
    expect(out).toBe('"IPAddress": "172.17.0.2" 0.0.0.0:49153->80/tcp');
  });
});
