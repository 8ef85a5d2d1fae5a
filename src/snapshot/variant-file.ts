import { isMap, isSeq } from 'yaml';
import type { InputError } from '../errors.js';
import type { SnapshotEntry, SnapshotVariant } from '../types.js';

type Fail = (message: string, offset?: number) => InputError;
type Ranged = { range?: [number] };

/**
 * The `variants` of a snapshot file (see variants.ts), checked as `steps` are: a broken one names its
 * line. `node` is the parsed YAML node, `data` the same as plain data. Undefined when there are none.
 */
export function readVariants(node: unknown, data: unknown, fail: Fail): SnapshotVariant[] | undefined {
  if (node === undefined || node === null) return undefined;
  if (!isSeq(node) || !Array.isArray(data)) throw fail('"variants" must be a list of variants, each with environment and steps', (node as Ranged).range?.[0]);
  return node.items.map((item, index) => {
    const value = data[index] as Partial<SnapshotVariant> | null;
    const at = (item as Ranged | null)?.range?.[0];
    if (!isMap(item) || typeof value !== 'object' || value === null) throw fail(`variant ${index + 1} must be a mapping with environment and steps`, at);
    const environment = value.environment ?? {};
    if (typeof environment !== 'object') throw fail(`variant ${index + 1}: "environment" must be a mapping`, at);
    const steps = item.get('steps', true);
    if (!isMap(steps) || typeof value.steps !== 'object' || value.steps === null) throw fail(`variant ${index + 1}: "steps" must be a mapping of step ids`, at);
    const seen = new Set<string>();
    for (const pair of steps.items) {
      const id = String((pair.key as { value?: unknown }).value);
      const where = (pair.key as Ranged).range?.[0];
      const entry = (value.steps as Record<string, Partial<SnapshotEntry> | null>)[id];
      if (seen.has(id)) throw fail(`variant ${index + 1}: step "${id}" appears twice`, where);
      seen.add(id);
      if (typeof entry !== 'object' || entry === null) throw fail(`variant ${index + 1}: step "${id}" must be a mapping`, where);
      if (typeof entry.exit !== 'number') throw fail(`variant ${index + 1}: step "${id}" has no numeric "exit"`, where);
      if (typeof entry.output !== 'string') throw fail(`variant ${index + 1}: step "${id}" has no text "output"`, where);
    }
    if (value.normalizers !== undefined && !Number.isInteger(value.normalizers)) throw fail(`variant ${index + 1}: "normalizers" must be a whole number`, at);
    const normalizers = value.normalizers === undefined ? {} : { normalizers: value.normalizers };
    return { ...normalizers, environment: environment as Record<string, string>, steps: value.steps as Record<string, SnapshotEntry> };
  });
}
