import { describe, expect, test } from 'vitest';
import { readPage } from '../../src/parse/page.js';
import { planLesson } from '../../src/plan/index.js';
import { inferRequirements, otherEngine } from '../../src/plan/requirements.js';
import type { Step } from '../../src/types.js';

const plan = (markdown: string) => planLesson(readPage(markdown, 'page.md', 'page'));
const command = (text: string, extra: Partial<Extract<Step, { kind: 'command' }>> = {}): Step => ({ id: 'a', kind: 'command', line: 1, command: text, ...extra });

describe('requirements read from the steps', () => {
  test('docker in any of its forms, and the tools a host step starts', () => {
    expect(inferRequirements([command('docker run --rm alpine echo hi')])).toEqual(['docker']);
    expect(inferRequirements([command('sudo docker ps')])).toEqual(['docker']);
    expect(inferRequirements([command('FOO=1 /usr/bin/docker compose up -d')])).toEqual(['docker']);
    expect(inferRequirements([command('docker-compose up -d')])).toEqual(['docker', 'docker-compose']);
    expect(inferRequirements([command('cat data.json | jq .name && git log --oneline')])).toEqual(['jq', 'git']);
    expect(inferRequirements([command('ls -l && echo done && cd /tmp && sudo apt-get install -y jq')])).toEqual([]);
  });

  test('never from lines typed inside a container, nor from the lesson\'s own files', () => {
    const session: Step = { id: 's', kind: 'interactive', line: 1, command: 'docker run -it alpine sh', input: ['curl http://web/', 'git status', 'exit'] };
    expect(inferRequirements([session])).toEqual(['docker']);
    expect(inferRequirements([command('./jq .name data.json'), command('bin/kubectl get pods')])).toEqual([]);
    const written: Step = { id: 'f', kind: 'file', line: 1, path: 'tools/helm', content: '#!/bin/sh\n' };
    expect(inferRequirements([written, command('/work/tools/helm version')])).toEqual([]);
    expect(inferRequirements([{ id: 'k', kind: 'skip', line: 1, reason: 'PowerShell', command: 'docker ps' }])).toEqual([]);
  });

  test('a page without front matter gets docker from its commands; the front matter adds to it, first', () => {
    const bare = plan('```console\n$ docker run --rm alpine echo hi\nhi\n$ curl -s localhost | jq .\n```\n');
    expect(bare.settings.requires).toEqual([]);
    expect(bare.requires).toEqual(['docker', 'curl', 'jq']);
    expect(bare.inferred).toEqual(['docker', 'curl', 'jq']);
    const declared = plan('---\nrequires: [jq, make]\n---\n\n```console\n$ docker ps\n$ jq . x.json\n```\n');
    expect(declared.requires).toEqual(['jq', 'make', 'docker']);
    expect(declared.inferred).toEqual(['docker']);
  });
});

describe('a command that would reach another engine', () => {
  test.each([
    ['export DOCKER_HOST=tcp://10.0.0.5:2375', 'sets DOCKER_HOST'],
    ['DOCKER_HOST=ssh://me@host docker ps', 'sets DOCKER_HOST'],
    ['DOCKER_CONTEXT=remote docker ps', 'sets DOCKER_CONTEXT'],
    ['docker -H unix:///var/run/docker.sock ps', 'names the engine unix:///var/run/docker.sock'],
    ['docker --host=tcp://127.0.0.1:2375 info', 'names the engine tcp://127.0.0.1:2375'],
    ['docker run -v /var/run/docker.sock:/var/run/docker.sock portainer/portainer', "uses the host's /var/run/docker.sock"],
    ['docker --context prod ps', 'names the Docker context prod'],
    ['docker context use prod', 'switches to the Docker context prod'],
  ])('%s', (text, why) => {
    expect(otherEngine(text)).toBe(why);
  });

  test.each([
    'docker run -e DOCKER_HOST=tcp://dind:2375 docker:cli docker ps',
    'docker run -h myhost alpine hostname',
    'docker ps',
    'echo the socket is /var/run/docker.sock.bak',
  ])('not: %s', (text) => {
    expect(otherEngine(text)).toBeUndefined();
  });

  test('the plan marks such a step, and shows it in its JSON', () => {
    const lesson = plan('```console\n$ docker -H tcp://127.0.0.1:2375 ps\n```\n');
    expect(lesson.steps[0]).toMatchObject({ kind: 'command', otherEngine: 'names the engine tcp://127.0.0.1:2375' });
  });
});
