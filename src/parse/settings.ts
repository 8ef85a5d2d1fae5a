// A page's settings in layers, each over the one before: the built-in defaults, the config file
// (lesson.config.yaml), the page's front matter, the command line. A layer replaces a single value
// and adds to a list, and says where each of its values came from.

import type { NetworkChoice, NormalizeSettings, Settings } from '../types.js';

/** The settings a layer may give, by the name a page writes them with. */
export type SettingName = 'title' | 'timeout' | 'requires' | 'prompts' | 'normalize.disable' | 'normalize.rules' | 'check-page' | 'images' | 'locale' | 'network';

export interface SettingsLayer {
  title?: string;
  timeoutMs?: number;
  requires?: string[];
  prompts?: string[];
  disable?: string[];
  rules?: NormalizeSettings['rules'];
  checkPage?: boolean;
  images?: string[];
  locale?: string;
  network?: NetworkChoice;
  /** Where each value of this layer was written: `file:line`, or `command line`. */
  origins: Partial<Record<SettingName, string>>;
}

/** Where a value no layer gave comes from. */
export const builtIn = 'default';

export const defaultTimeoutMs = 120_000;

export function defaultSettings(): Settings {
  return { requires: [], timeoutMs: defaultTimeoutMs, prompts: [], normalize: { disable: [], rules: [] } };
}

/**
 * `layer` over `base`: a single value replaces the base's, a list adds what the base lacks (rules and
 * prompts in order, after the base's). `origins` on the result say where each value came from; for a
 * list, one origin per item. Pure.
 */
export function layered(base: Settings, layer: SettingsLayer): Settings {
  const origins = { ...originsOf(base) };
  const from = (name: SettingName) => layer.origins[name] ?? builtIn;
  const single = <T>(name: SettingName, value: T | undefined, old: T): T => {
    if (value === undefined) return old;
    origins[name] = [from(name)];
    return value;
  };
  const list = <T>(name: SettingName, added: T[] | undefined, old: T[], same: (a: T, b: T) => boolean = (a, b) => a === b): T[] => {
    if (added === undefined) return old;
    const fresh = added.filter((item, index) => !old.some((had) => same(had, item)) && added.findIndex((other) => same(other, item)) === index);
    origins[name] = [...(origins[name] ?? old.map(() => builtIn)), ...fresh.map(() => from(name))];
    return [...old, ...fresh];
  };
  const settings: Settings = {
    ...base,
    requires: list('requires', layer.requires, base.requires),
    timeoutMs: single('timeout', layer.timeoutMs, base.timeoutMs),
    prompts: list('prompts', layer.prompts, base.prompts),
    normalize: {
      disable: list('normalize.disable', layer.disable, base.normalize.disable),
      rules: list('normalize.rules', layer.rules, base.normalize.rules, (a, b) => a.pattern === b.pattern && a.replace === b.replace),
    },
  };
  const title = single('title', layer.title, base.title);
  const checkPage = single('check-page', layer.checkPage, base.checkPage);
  const images = layer.images === undefined ? base.images : list('images', layer.images, base.images ?? []);
  const locale = single('locale', layer.locale, base.locale);
  const network = single('network', layer.network, base.network);
  return {
    ...settings,
    ...(title !== undefined && { title }),
    ...(checkPage !== undefined && { checkPage }),
    ...(images !== undefined && { images }),
    ...(locale !== undefined && { locale }),
    ...(network !== undefined && { network }),
    origins,
  };
}

function originsOf(settings: Settings): Record<string, string[]> {
  return settings.origins ?? {};
}

/** Each setting of a page with its value and where it came from, as `lesson plan --json` shows them. */
export function describeSettings(settings: Settings): Record<SettingName, { value: unknown; from: string | string[] }> {
  const origins = originsOf(settings);
  const one = (name: SettingName, value: unknown) => ({ value, from: origins[name]?.[0] ?? builtIn });
  const many = (name: SettingName, value: unknown[]) => ({ value, from: origins[name] ?? value.map(() => builtIn) });
  return {
    title: one('title', settings.title ?? null),
    timeout: one('timeout', formatTimeout(settings.timeoutMs)),
    requires: many('requires', settings.requires),
    prompts: many('prompts', settings.prompts),
    'normalize.disable': many('normalize.disable', settings.normalize.disable),
    'normalize.rules': many('normalize.rules', settings.normalize.rules),
    'check-page': one('check-page', settings.checkPage ?? false),
    images: many('images', settings.images ?? []),
    locale: one('locale', settings.locale ?? null),
    network: one('network', settings.network ?? 'none'),
  };
}

/** A timeout as a page writes it: `2m`, `30s`, `500ms`. */
function formatTimeout(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
