import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { networkChoices, type NetworkChoice, type Settings } from '../types.js';
import { InputError } from '../errors.js';
import { builtInNormalizers } from '../normalize/index.js';
import type { Problem } from './annotations.js';
import { parseDuration } from '../duration.js';
import { defaultSettings, layered, type SettingsLayer } from './settings.js';

export { defaultTimeoutMs } from './settings.js';

/** Front-matter keys and what each takes; docs/lessons.md and error messages list these. */
export const frontMatterKeys = {
  title: 'the lesson title',
  requires: 'programs the lesson needs, e.g. [docker, jq]; docker gives it a private engine',
  timeout: 'default timeout of a step: 30s, 2m, 500ms',
  prompts: 'extra prompt patterns (regular expressions) that start a command line',
  normalize: '{ disable: [names of built-in normalizers], rules: [{ pattern, replace }] }',
  'check-page': 'true: check the outputs the page shows against what runs, with ... wildcards',
  images: 'images the lesson pulls, e.g. [ubuntu, redis]: its private engine gets the image cache',
  locale: 'the LANG steps run with, e.g. fr_FR.UTF-8; C.UTF-8 by default',
  network: 'outbound: the private engine and its containers reach the outside (pulls from any registry, apt-get, git clone); none by default',
} as const;

/**
 * Reads the YAML front matter into Settings, over `base` (the built-in defaults, or what the config
 * file gives every page): a single value replaces the base's, a list adds to it. `startLine` is the
 * Markdown line of the opening `---`, so errors name the line in the page, not in the YAML. With
 * `problems`, an unknown key is recorded there instead of thrown.
 */
export function readFrontMatter(yaml: string | undefined, file: string, startLine: number, problems?: Problem[], base: Settings = defaultSettings()): Settings {
  if (yaml === undefined || yaml.trim() === '') return base;

  const lines = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lines, prettyErrors: false });
  const lineOf = (node: YamlNode | null | undefined) =>
    startLine + (node?.range ? lines.linePos(node.range[0]).line : 1);
  const fail = (message: string, node?: YamlNode | null) => new InputError(message, file, lineOf(node));

  const [error] = doc.errors;
  if (error) throw new InputError(`front matter: ${error.message.split('\n')[0]}`, file, startLine + (lines.linePos(error.pos[0]).line));
  if (!isMap(doc.contents)) throw fail('front matter must be a mapping of keys to values', doc.contents);

  const layer: SettingsLayer = { origins: {} };
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as YamlNode;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = pair.value as YamlNode | null;
    if (readSetting(key, valueNode, layer, (message) => fail(message, valueNode), `${file}:${lineOf(keyNode)}`)) continue;
    const unknown = fail(`unknown front-matter key "${key}"; known: ${Object.keys(frontMatterKeys).join(', ')}`, keyNode);
    if (!problems) throw unknown;
    problems.push({ line: unknown.line ?? startLine, message: unknown.message });
  }
  return layered(base, layer);
}

/**
 * Reads one setting a page's front matter (or the config file, for every page) may give into `layer`,
 * with `origin` as where it was written; false when `key` is no such setting.
 */
export function readSetting(key: string, valueNode: YamlNode | null, layer: SettingsLayer, fail: (message: string) => Error, origin: string): boolean {
  const value = valueNode?.toJSON?.() ?? (isScalar(valueNode) ? valueNode.value : undefined);
  switch (key) {
    case 'title':
      if (typeof value !== 'string') throw fail('"title" must be text');
      layer.title = value;
      layer.origins.title = origin;
      return true;
    case 'requires':
      layer.requires = stringList(value, () => fail('"requires" must be a list of program names'));
      layer.origins.requires = origin;
      return true;
    case 'timeout': {
      const ms = parseDuration(value);
      if (ms === undefined) throw fail(`"timeout" must be a duration like 30s or 2m, got ${JSON.stringify(value)}`);
      layer.timeoutMs = ms;
      layer.origins.timeout = origin;
      return true;
    }
    case 'prompts':
      layer.prompts = stringList(value, () => fail('"prompts" must be a list of regular expressions'));
      for (const source of layer.prompts) checkRegex(source, (m) => fail(`"prompts": ${m}`));
      layer.origins.prompts = origin;
      return true;
    case 'normalize': {
      const normalize = readNormalize(value, (m) => fail(`"normalize": ${m}`));
      if (normalize.disable) {
        layer.disable = normalize.disable;
        layer.origins['normalize.disable'] = origin;
      }
      if (normalize.rules) {
        layer.rules = normalize.rules;
        layer.origins['normalize.rules'] = origin;
      }
      return true;
    }
    case 'check-page':
      if (typeof value !== 'boolean') throw fail('"check-page" must be true or false');
      layer.checkPage = value;
      layer.origins['check-page'] = origin;
      return true;
    case 'images':
      layer.images = stringList(value, () => fail('"images" must be a list of image names'));
      layer.origins.images = origin;
      return true;
    case 'locale':
      // A locale name as setlocale reads it: language_TERRITORY.codeset@modifier, or C/POSIX.
      if (typeof value !== 'string' || !/^[A-Za-z0-9_.@-]+$/.test(value)) throw fail('"locale" must be a locale name like fr_FR.UTF-8');
      layer.locale = value;
      layer.origins.locale = origin;
      return true;
    case 'network':
      if (!networkChoices.includes(value as NetworkChoice)) throw fail(`"network" must be ${networkChoices.join(' or ')}, got ${JSON.stringify(value)}`);
      layer.network = value as NetworkChoice;
      layer.origins.network = origin;
      return true;
    default:
      return false;
  }
}

function stringList(value: unknown, fail: () => Error): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) throw fail();
  return list;
}

function readNormalize(value: unknown, fail: (message: string) => Error): Partial<Settings['normalize']> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('must be a mapping with disable and rules');
  const { disable, rules, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw fail(`unknown key "${unknown[0]}"; known: disable, rules`);
  const names = disable === undefined ? undefined : stringList(disable, () => fail('disable must be a list of normalizer names'));
  const unknownName = names?.find((name) => !builtInNormalizers.includes(name));
  if (unknownName) throw fail(`unknown normalizer "${unknownName}"; known: ${builtInNormalizers.join(', ')}`);
  if (rules !== undefined && !Array.isArray(rules)) throw fail('rules must be a list of { pattern, replace }');
  const checked = rules?.map((rule: unknown) => {
    const { pattern, replace } = (rule ?? {}) as Record<string, unknown>;
    if (typeof pattern !== 'string' || typeof replace !== 'string') throw fail('each rule needs a pattern and a replace, both text');
    checkRegex(pattern, fail);
    return { pattern, replace };
  });
  return { ...(names && { disable: names }), ...(checked && { rules: checked }) };
}

function checkRegex(source: string, fail: (message: string) => Error): void {
  try {
    new RegExp(source);
  } catch (error) {
    throw fail(`invalid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
}
