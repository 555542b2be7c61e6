/**
 * What a metadata write must satisfy and how it combines with the stored value: the semantic switches
 * of protocol §9 (`metadataWriteMode`, `unknownSchemaKeys`, `typeValidation`). The organisation schema used
 * is the typed (v2) one when set, otherwise the simple one.
 */
import type { JsonValue, Metadata, WireTypedOption, WireTypedSchema } from '../encord/protocol/types.js';
import type { EmulatorSettings } from './options.js';
import type { StateStore } from './state.js';

/** Reserved key for video key frames (`_is_valid_metadata_key`): always known. */
const RESERVED_KEYS = new Set(['keyframes']);

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** yyyymmdd, yyyy-mm-dd, or yyyy-mm-ddThh:mm[:ss[.frac]][Z|±hh:mm] (docs: "ISO date time"). */
const DATETIME_RE =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function isPlainObject(value: unknown): value is Metadata {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stored value after a write: the incoming dict (replace) or stored ∪ incoming (merge, shallow). */
export function combineMetadata(current: Metadata, incoming: Metadata, settings: EmulatorSettings): Metadata {
  return settings.metadataWriteMode === 'merge' ? { ...current, ...incoming } : { ...incoming };
}

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export function isIsoDatetime(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = DATETIME_RE.exec(value);
  if (m === null) return false;
  if (!validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
  return true;
}

function describe(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Check one value against a typed option; returns a problem or null. */
export function checkTyped(option: WireTypedOption, value: JsonValue): string | null {
  if (value === null) return null;
  const opt = option as WireTypedOption & Record<string, unknown>;
  switch (opt.ty) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `expected a number, got ${describe(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `expected a boolean, got ${describe(value)}`;
    case 'varchar': {
      const max = typeof opt['max_length'] === 'number' ? (opt['max_length'] as number) : 8192;
      if (typeof value !== 'string') return `expected a string, got ${describe(value)}`;
      return value.length <= max ? null : `expected at most ${max} characters, got ${value.length}`;
    }
    case 'text':
    case 'user':
      return typeof value === 'string' ? null : `expected a string, got ${describe(value)}`;
    case 'datetime':
      return isIsoDatetime(value) ? null : `expected an ISO date time, got ${describe(value)}`;
    case 'enum': {
      const values = Array.isArray(opt['values']) ? (opt['values'] as unknown[]) : [];
      return typeof value === 'string' && values.includes(value)
        ? null
        : `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`;
    }
    case 'embedding': {
      const size = typeof opt['size'] === 'number' ? (opt['size'] as number) : null;
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        return `expected an array of numbers, got ${describe(value)}`;
      }
      return size === null || value.length === size ? null : `expected ${size} numbers, got ${value.length}`;
    }
    case 'geospatial': {
      if (!isPlainObject(value)) return `expected {"latitude", "longitude"}, got ${describe(value)}`;
      const { latitude, longitude } = value;
      const ok =
        typeof latitude === 'number' &&
        typeof longitude === 'number' &&
        Math.abs(latitude) <= 90 &&
        Math.abs(longitude) <= 180;
      return ok ? null : `expected {"latitude": -90..90, "longitude": -180..180}, got ${describe(value)}`;
    }
    case 'uuid':
      return typeof value === 'string' && UUID_RE.test(value) ? null : `expected a uuid, got ${describe(value)}`;
    case 'variant': {
      const hint = opt['hint'];
      if (hint === 'number' || hint === 'boolean' || hint === 'datetime' || hint === 'uuid' || hint === 'varchar') {
        return checkTyped({ ty: hint } as WireTypedOption, value);
      }
      return typeof value === 'object' ? `expected a scalar, got ${describe(value)}` : null;
    }
    case 'tombstone':
      return 'the key was deleted from the schema';
    default:
      return null;
  }
}

/** The simple schema's type names, as typed options. */
function simpleToTyped(type: string): WireTypedOption | null {
  switch (type) {
    case 'number':
      return { ty: 'number' };
    case 'string':
      return { ty: 'varchar', max_length: 8192 };
    case 'long_string':
      return { ty: 'text' };
    case 'boolean':
      return { ty: 'boolean' };
    case 'datetime':
      return { ty: 'datetime' };
    case 'geospatial':
      return { ty: 'geospatial' };
    case 'embedding':
      // A simple-schema embedding carries no size: any length is accepted.
      return { ty: 'embedding' } as unknown as WireTypedOption;
    case 'enum':
      return null;
    default:
      return null;
  }
}

/** The effective schema as typed options, or null when the organisation has none. */
function effectiveSchema(store: StateStore): Map<string, WireTypedOption | null> | null {
  const typed: WireTypedSchema | null = store.typedSchema;
  if (typed !== null) return new Map(Object.entries(typed));
  const simple = store.simpleSchema;
  if (simple === null) return null;
  return new Map(Object.entries(simple.schema).map(([k, t]) => [k, simpleToTyped(t)]));
}

/**
 * Check an incoming metadata dict against the switches. Returns the problems (empty: accept). Unknown
 * keys are checked only in `reject` mode, types only in `strict` mode.
 */
export function checkMetadata(store: StateStore, incoming: Metadata, settings: EmulatorSettings): string[] {
  if (settings.unknownSchemaKeys === 'accept' && settings.typeValidation === 'off') return [];
  const schema = effectiveSchema(store);
  const problems: string[] = [];
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(incoming)) {
    if (RESERVED_KEYS.has(key)) continue;
    const option = schema?.get(key);
    const known = option !== undefined && (option === null || option.ty !== 'tombstone');
    if (!known && settings.unknownSchemaKeys === 'reject') {
      unknown.push(key);
      continue;
    }
    if (settings.typeValidation === 'strict' && option !== undefined && option !== null) {
      const problem = checkTyped(option, value);
      if (problem !== null) problems.push(`${key}: ${problem}`);
    }
  }
  if (unknown.length > 0) {
    problems.unshift(`Metadata key(s) not in the organisation schema: ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  return problems;
}
