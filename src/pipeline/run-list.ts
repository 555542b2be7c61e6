/**
 * `runList`: every data unit of a dataset with its index (position in server order, Encord's "data unit
 * number"), data hash, title, storage item and current metadata, plus the metadata keys to show as
 * columns: the schema's keys first (in schema order, deleted keys left out), then any other key seen,
 * sorted. Writing the result as a table, CSV, JSONL or Parquet is `report/list-writers.ts`' job.
 */
import type { DataUnit, MetadataStore } from '../encord/metadata-store.js';
import type { FieldSpec, MetaSchema } from '../schema/index.js';
import type { ListingView } from '../report/list-writers.js';
import { pullSchema, type SchemaForm } from './pull-schema.js';

export interface ListOptions {
  readonly store: MetadataStore;
  readonly datasetHash: string;
  /** Schema that orders and types the columns. @default the org schema, read from `store` */
  readonly schema?: MetaSchema | undefined;
  /** Only the schema's keys as columns (keys outside the schema left out). @default false */
  readonly schemaKeysOnly?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ListResult extends ListingView {
  readonly datasetHash: string;
  readonly datasetTitle: string;
  /** Metadata keys shown as columns, in column order. */
  readonly keys: readonly string[];
  /** The schema spec of each key; absent for keys the schema does not have. */
  readonly specs: ReadonlyMap<string, FieldSpec>;
  readonly schemaForm: SchemaForm | 'given';
  /** Data units in server order (`index` = position). */
  readonly units: readonly DataUnit[];
  /** Units whose metadata Encord did not return (shown empty; never meaning "no metadata"). */
  readonly unknownMetadata: number;
  /** Keys present on some unit but left out by `schemaKeysOnly`. */
  readonly omittedKeys: readonly string[];
}

export async function runList(options: ListOptions): Promise<ListResult> {
  const signal = options.signal ? { signal: options.signal } : {};
  let schema = options.schema;
  let schemaForm: ListResult['schemaForm'] = 'given';
  if (!schema) {
    const org = await pullSchema(options.store, signal);
    schema = org.schema;
    schemaForm = org.form;
  }
  const listing = await options.store.getDataset(options.datasetHash, signal);
  const specs = new Map<string, FieldSpec>();
  const keys: string[] = [];
  for (const [key, spec] of schema.fields) {
    if (spec.type === 'tombstone') continue;
    specs.set(key, spec);
    keys.push(key);
  }
  const others = new Set<string>();
  let unknownMetadata = 0;
  for (const unit of listing.units) {
    if (unit.metadata === null) {
      unknownMetadata += 1;
      continue;
    }
    for (const key of Object.keys(unit.metadata)) if (!specs.has(key)) others.add(key);
  }
  const extra = [...others].sort();
  return {
    datasetHash: listing.datasetHash,
    datasetTitle: listing.title,
    keys: options.schemaKeysOnly ? keys : [...keys, ...extra],
    specs,
    schemaForm,
    units: listing.units,
    unknownMetadata,
    omittedKeys: options.schemaKeysOnly ? extra : [],
  };
}
