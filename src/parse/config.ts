// The config file of a repository of lessons (`lesson.config.yaml`, or the `"lesson"` key of
// package.json): where pages and snapshots live, how `check` runs and reports, and the defaults
// every page's front matter goes over. Pure: the text in, the settings with their lines out; the
// CLI finds and reads the file.

import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { InputError } from '../errors.js';
import { readSetting } from './front-matter.js';
import type { SettingsLayer } from './settings.js';

export const configFileName = 'lesson.config.yaml';

/** The keys of a config file and what each takes; docs/lessons.md lists them, errors name them. */
export const configKeys = {
  lessons: 'globs of the lesson pages, relative to the config file: docs/**/*.md',
  snapshots: 'the folder of snapshot files, relative to the config file',
  jobs: 'how many lessons `check` runs at once',
  reporters: "`check`'s reports: default, junit, json, github, html, each NAME or NAME=FILE",
  builder: 'legacy or buildkit: the builder images are built with',
  'registry-upstream': 'the registry the image cache pulls from (LESSON_REGISTRY_UPSTREAM overrides it)',
  timeout: 'default timeout of a step: 30s, 2m',
  requires: 'programs every lesson needs; a page adds its own',
  prompts: 'extra prompt patterns; a page adds its own',
  normalize: '{ disable: [...], rules: [{ pattern, replace }] }; a page adds its own',
  'check-page': 'true: check the outputs every page shows; a page may say otherwise',
  images: 'images every lesson pulls; a page adds its own',
  locale: 'the LANG steps run with',
  network: 'outbound or none: what private engines and their containers reach; a page may say otherwise',
} as const;

/** Settings only the command line chooses, and the flag that does. */
const commandLineOnly: Record<string, string> = {
  engine: 'the engine is chosen on the command line only (--engine host), never by a config file',
  sandbox: 'the sandbox is turned off on the command line only (--no-sandbox), never by a config file',
  'no-sandbox': 'the sandbox is turned off on the command line only (--no-sandbox), never by a config file',
  title: "a title is a page's own: it goes in the page's front matter",
};

/** A value of the config file and the line it is written on. */
export interface Located<T> {
  value: T;
  line: number;
}

export interface Config {
  /** The file it was read from, as given. */
  file: string;
  lessons?: Located<string[]>;
  snapshots?: Located<string>;
  jobs?: Located<number>;
  reporters?: Located<string[]>;
  builder?: Located<'legacy' | 'buildkit'>;
  registryUpstream?: Located<string>;
  /** What every page's front matter goes over. */
  pages: SettingsLayer;
}

/** `lesson.config.yaml`'s text → its settings; anything wrong is an InputError naming the file and line. */
export function readConfig(text: string, file: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const [error] = doc.errors;
  if (error) throw new InputError(`not a readable config file: ${error.message.split('\n')[0]}`, file, lines.linePos(error.pos[0]).line);
  return readConfigNode(doc.contents as YamlNode | null, file, lines);
}

/** package.json's text → the settings under its `"lesson"` key; undefined when it has none. */
export function readPackageConfig(text: string, file: string): Config | undefined {
  const lines = new LineCounter();
  // JSON is YAML: read so, each value keeps its line.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const [error] = doc.errors;
  if (error) throw new InputError(`not readable JSON: ${error.message.split('\n')[0]}`, file, lines.linePos(error.pos[0]).line);
  if (!isMap(doc.contents)) return undefined;
  const pair = doc.contents.items.find((item) => isScalar(item.key) && item.key.value === 'lesson');
  return pair ? readConfigNode(pair.value as YamlNode | null, file, lines) : undefined;
}

function readConfigNode(contents: YamlNode | null, file: string, lines: LineCounter): Config {
  const lineOf = (node: YamlNode | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const config: Config = { file, pages: { origins: {} } };
  if (contents === null || (isScalar(contents) && contents.value === null)) return config;
  if (!isMap(contents)) throw new InputError('the config must be a mapping of keys to values', file, lineOf(contents));

  for (const pair of contents.items) {
    const keyNode = pair.key as YamlNode;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = pair.value as YamlNode | null;
    const line = lineOf(keyNode);
    const fail = (message: string) => new InputError(message, file, lineOf(valueNode ?? keyNode));
    const value = valueNode?.toJSON?.() ?? (isScalar(valueNode) ? valueNode.value : undefined);
    const located = <T>(v: T): Located<T> => ({ value: v, line });
    switch (key) {
      case 'lessons':
        config.lessons = located(texts(value, () => fail('"lessons" must be a glob or a list of globs, like docs/**/*.md')));
        break;
      case 'snapshots':
        if (typeof value !== 'string' || value.trim() === '') throw fail('"snapshots" must be a folder');
        config.snapshots = located(value);
        break;
      case 'jobs':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw fail('"jobs" must be a whole number of at least 1');
        config.jobs = located(value);
        break;
      case 'reporters':
        config.reporters = located(texts(value, () => fail('"reporters" must be a list of NAME or NAME=FILE, like [default, junit=reports/junit.xml]')));
        break;
      case 'builder':
        if (value !== 'legacy' && value !== 'buildkit') throw fail('"builder" must be legacy or buildkit');
        config.builder = located(value);
        break;
      case 'registry-upstream':
        if (typeof value !== 'string' || !/^https?:\/\/[^\s/]+/.test(value)) throw fail('"registry-upstream" must be a registry URL, like https://mirror.example.com');
        config.registryUpstream = located(value);
        break;
      default: {
        if (commandLineOnly[key]) throw new InputError(`"${key}": ${commandLineOnly[key]}`, file, line);
        const known = key in configKeys && readSetting(key, valueNode, config.pages, fail, `${file}:${line}`);
        if (!known) throw new InputError(`unknown key "${key}"; known: ${Object.keys(configKeys).join(', ')}`, file, line);
      }
    }
  }
  return config;
}

function texts(value: unknown, fail: () => Error): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) throw fail();
  return list;
}
