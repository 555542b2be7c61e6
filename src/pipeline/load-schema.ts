/**
 * The organisation's schema as the import sees it: the typed (v2) form when the org has one, else the
 * simple form, else empty. Both forms may exist; the typed one is what Index and Active use.
 */
import type { MetadataStore } from '../encord/metadata-store.js';
import { EMPTY_SCHEMA, fromSimpleWire, fromTypedWire, type MetaSchema } from '../schema/index.js';

export async function schemaFromStore(store: MetadataStore, options: { signal?: AbortSignal | undefined } = {}): Promise<MetaSchema> {
  const signal = options.signal ? { signal: options.signal } : {};
  const typed = await store.getTypedSchema(signal);
  if (typed && Object.keys(typed).length > 0) return fromTypedWire(typed);
  const simple = await store.getSimpleSchema(signal);
  if (simple && Object.keys(simple).length > 0) return fromSimpleWire(simple);
  return EMPTY_SCHEMA;
}
