/**
 * The organisation schema with the form it came in: the typed (v2) one when set, else the old simple one,
 * else none. `schema pull` shows the form; every other operation only needs the schema.
 */
import type { MetadataStore } from '../encord/metadata-store.js';
import { EMPTY_SCHEMA, fromSimpleWire, fromTypedWire, type MetaSchema } from '../schema/index.js';

/** Which of the two org schemas answered: the typed (v2) one, the old simple one, or none at all. */
export type SchemaForm = 'typed' | 'simple' | 'none';

export interface OrgSchema {
  readonly schema: MetaSchema;
  readonly form: SchemaForm;
}

/** The org schema as the import sees it: typed when set, else simple, else empty. */
export async function pullSchema(store: MetadataStore, options: { readonly signal?: AbortSignal | undefined } = {}): Promise<OrgSchema> {
  const signal = options.signal ? { signal: options.signal } : {};
  const typed = await store.getTypedSchema(signal);
  if (typed && Object.keys(typed).length > 0) return { schema: fromTypedWire(typed), form: 'typed' };
  const simple = await store.getSimpleSchema(signal);
  if (simple && Object.keys(simple).length > 0) return { schema: fromSimpleWire(simple), form: 'simple' };
  return { schema: EMPTY_SCHEMA, form: 'none' };
}
