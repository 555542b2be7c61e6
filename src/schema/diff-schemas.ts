/**
 * What `schema push` would change, and what `schema verify` reports: keys added, removed, retyped.
 * POST replaces the whole schema (protocol §5.6), so "removed" really removes.
 */
import { describeSpec, type FieldSpec } from './field-spec.js';
import type { MetaSchema } from './meta-schema.js';
import { specsEqual } from './meta-schema.js';

export interface SchemaDiff {
  /** Keys only in `next`, in `next` order. */
  readonly added: readonly { readonly key: string; readonly spec: FieldSpec }[];
  /** Keys only in `current`, in `current` order. */
  readonly removed: readonly { readonly key: string; readonly spec: FieldSpec }[];
  /** Keys in both whose spec differs, in `next` order. */
  readonly changed: readonly { readonly key: string; readonly from: FieldSpec; readonly to: FieldSpec }[];
  /** Keys in both with the same spec, in `next` order. */
  readonly unchanged: readonly string[];
}

/** Compare two schemas by meaning (`specsEqual`: enum order and key order do not matter). */
export function diffSchemas(current: MetaSchema, next: MetaSchema): SchemaDiff {
  const added: { key: string; spec: FieldSpec }[] = [];
  const changed: { key: string; from: FieldSpec; to: FieldSpec }[] = [];
  const unchanged: string[] = [];
  for (const [key, spec] of next.fields) {
    const before = current.fields.get(key);
    if (before === undefined) added.push({ key, spec });
    else if (specsEqual(before, spec)) unchanged.push(key);
    else changed.push({ key, from: before, to: spec });
  }
  const removed = [...current.fields].filter(([key]) => !next.fields.has(key)).map(([key, spec]) => ({ key, spec }));
  return { added, removed, changed, unchanged };
}

/** Whether the diff changes anything. */
export function isEmptyDiff(diff: SchemaDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

/**
 * A printable diff, one key per line, for people:
 * ```
 * + weather: enum(rainy, sunny)
 * - legacy_id: number
 * ~ city: string -> datetime
 *   2 keys unchanged
 * ```
 */
export function formatSchemaDiff(diff: SchemaDiff): string {
  const lines: string[] = [];
  for (const { key, spec } of diff.added) lines.push(`+ ${key}: ${describeSpec(spec)}`);
  for (const { key, spec } of diff.removed) lines.push(`- ${key}: ${describeSpec(spec)}`);
  for (const { key, from, to } of diff.changed) {
    const a = describeSpec(from);
    const b = describeSpec(to);
    lines.push(`~ ${key}: ${a === b ? `${a} (options differ)` : `${a} -> ${b}`}`);
  }
  const n = diff.unchanged.length;
  if (isEmptyDiff(diff)) lines.push(`  no changes (${n} ${n === 1 ? 'key' : 'keys'})`);
  else if (n > 0) lines.push(`  ${n} ${n === 1 ? 'key' : 'keys'} unchanged`);
  return lines.join('\n');
}
