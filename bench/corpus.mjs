// Generates tutorial pages in the shapes real ones have: prose with inline code, lists whose items
// hold indented fences, prompted blocks with outputs, unprompted blocks, files under a name, JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const words = 'le conteneur image couche réseau volume build run the container image layer network volume tag push pull'.split(' ');

function prose(seed, count) {
  let text = '';
  for (let i = 0; i < count; i++) text += `${words[(seed + i * 7) % words.length]}${i % 9 === 4 ? ' `docker ps`' : ''}${i % 13 === 12 ? '.\n' : ' '}`;
  return text.trim() + '.';
}

function section(page, s) {
  const id = (page * 31 + s) % 100000;
  return [
    `## Step ${s}: ${words[id % words.length]}`,
    '',
    prose(id, 60),
    '',
    'Dockerfile',
    '',
    '```dockerfile',
    'FROM alpine',
    `RUN touch /file-${id}`,
    '```',
    '',
    `1. Build it:`,
    '',
    '   ```console',
    `   $ docker build -t demo/${id} .`,
    '   Step 1/2 : FROM alpine',
    '    ---> 3f53bb00af94',
    '   Successfully built 3f53bb00af94',
    '   ```',
    '',
    `2. ${prose(id + 1, 20)}`,
    '',
    '   ```',
    `   docker run --rm demo/${id} ls /`,
    `   docker image history demo/${id}`,
    '   ```',
    '',
    '```json',
    `{ "Id": "sha256:${String(id).padStart(64, '0')}", "Size": ${id} }`,
    '```',
    '',
    prose(id + 2, 40),
    '',
  ].join('\n');
}

/** Writes `count` pages of about `bytes` each into `dir`; returns their paths. */
export function writeCorpus(dir, count = 2000, bytes = 10_000) {
  mkdirSync(dir, { recursive: true });
  const paths = [];
  for (let page = 0; page < count; page++) {
    let text = `---\ntitle: Page ${page}\nrequires: [docker]\n---\n# Page ${page}\n\n`;
    for (let s = 1; text.length < bytes; s++) text += section(page, s);
    const path = join(dir, `page-${String(page).padStart(4, '0')}.md`);
    writeFileSync(path, text);
    paths.push(path);
  }
  return paths;
}
