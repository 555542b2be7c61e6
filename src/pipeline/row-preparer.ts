/**
 * Turns one source row into "these units get this update", or a failed outcome with a code, a column and
 * a message that names file, line and column. Pure over its inputs; used by the planning pass and the
 * writing pass alike so both agree row by row.
 */
import type { DataUnit } from '../encord/metadata-store.js';
import type { JsonValue } from '../encord/protocol/types.js';
import { canonicalDecimalOptions, coerce, combineGeo, type CoerceResult, type ResolvedCoercionOptions } from '../coercion/index.js';
import type { ColumnPlan, PlannedField } from '../mapping/column-plan.js';
import type { KeyChoice, KeyResolver } from '../mapping/key-resolver.js';
import type { RawRow } from '../sources/source.js';
import { DELETE, type UpdateEntry } from './merge.js';
import { coerceUnknownCell, coerceUnknownText, unchangedSinceListed, type UnknownCellError } from './unknown-cell.js';

import type { EmptyPolicy } from './option-sets.js';

export { EMPTY_POLICIES, type EmptyPolicy } from './option-sets.js';

export type PreparedRow =
  | { readonly ok: true; readonly units: readonly DataUnit[]; readonly update: readonly UpdateEntry[] }
  | { readonly ok: false; readonly code: string; readonly column: string | undefined; readonly message: string };

/** Per metadata key: how many cells coerced, were empty, failed. */
export interface ColumnStats {
  ok: number;
  empty: number;
  failed: number;
}

export class RowPreparer {
  readonly stats = new Map<string, ColumnStats>();

  constructor(
    private readonly input: {
      readonly source: string;
      readonly key: KeyChoice;
      readonly resolver: KeyResolver;
      readonly plan: ColumnPlan;
      readonly coercion: ResolvedCoercionOptions;
      readonly empty: EmptyPolicy;
      /** Columns of machine-written decimal text (`TabularSource.canonicalDecimalColumns`). */
      readonly canonicalDecimalColumns?: ReadonlySet<string> | undefined;
    },
  ) {
    for (const f of input.plan.fields) this.stats.set(f.key, { ok: 0, empty: 0, failed: 0 });
    const canonical = canonicalDecimalOptions(input.coercion);
    const decimals = input.canonicalDecimalColumns;
    // Per field, worked out once: its coercion options (never the locale ones for machine-written
    // decimals) and its counters.
    this.fieldOptions = input.plan.fields.map((f) => (f.kind === 'cell' && decimals !== undefined && decimals.has(f.column) ? canonical : input.coercion));
    this.fieldStats = input.plan.fields.map((f) => this.stats.get(f.key)!);
  }

  private readonly fieldOptions: readonly ResolvedCoercionOptions[];
  private readonly fieldStats: readonly ColumnStats[];

  /** One planned field of a row: a cell, a constant or two geo columns, read as the plan says. */
  private coerceField(field: PlannedField, options: ResolvedCoercionOptions, row: RawRow, units: readonly DataUnit[]): CoerceResult | UnknownCellError {
    const { plan, coercion } = this.input;
    if (field.kind === 'geo') return combineGeo(row.values[field.latitude] ?? null, row.values[field.longitude] ?? null, coercion);
    const cell = field.kind === 'cell' ? (row.values[field.column] ?? null) : field.raw;
    // A job-config constant for a key the schema lacks is a typed JSON value: its string stays a string.
    if (field.kind === 'constant' && field.unknown && typeof cell === 'string') return coerceUnknownText(cell, options);
    if (field.unknown) return coerceUnknownCell(cell, field.key, units, field.unknown, options);
    if (plan.fromListing && field.kind === 'cell') {
      // A listing's unedited cell keeps the stored value, even an off-type one.
      const listed = unchangedSinceListed(cell, field.key, units);
      if (listed !== undefined) return { kind: 'value', value: listed };
    }
    return coerce(cell, field.spec, options);
  }

  prepare(row: RawRow, countStats: boolean): PreparedRow {
    const { key, resolver, plan, empty, source } = this.input;
    const resolution = resolver.resolve(key.kind, row.values[key.column] ?? null);
    if (!resolution.ok) {
      return { ok: false, code: resolution.code, column: key.column, message: `${resolution.message} (${row.file ?? source} line ${row.line}, column ${key.column})` };
    }
    const update: UpdateEntry[] = [];
    let firstError: { code: string; column: string; message: string } | undefined;
    let extraErrors: string[] | undefined;
    const fields = plan.fields;
    for (let f = 0; f < fields.length; f += 1) {
      const field = fields[f]!;
      const result = this.coerceField(field, this.fieldOptions[f]!, row, resolution.units);
      const stats = countStats ? this.fieldStats[f] : undefined;
      if (result.kind === 'value') {
        if (stats) stats.ok += 1;
        update.push({ key: field.key, value: result.value, type: field.spec.type });
      } else if (result.kind === 'empty') {
        if (stats) stats.empty += 1;
        if (empty === 'delete') update.push({ key: field.key, value: DELETE, type: field.spec.type });
        else if (empty === 'null') update.push({ key: field.key, value: null as JsonValue, type: field.spec.type });
      } else {
        if (stats) stats.failed += 1;
        const column = field.kind === 'cell' ? field.column : field.kind === 'geo' ? `${field.latitude}+${field.longitude}` : field.key;
        if (!firstError) {
          // formatCellError's wording, for coercion and unknown-key errors alike.
          firstError = { code: result.code, column, message: `${result.message} (${row.file ?? source} line ${row.line}, column ${column})` };
        } else (extraErrors ??= []).push(column);
      }
    }
    if (firstError) {
      const more = extraErrors ? `; also invalid: ${extraErrors.join(', ')}` : '';
      return { ok: false, code: firstError.code, column: firstError.column, message: firstError.message + more };
    }
    return { ok: true, units: resolution.units, update };
  }
}
