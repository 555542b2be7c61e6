/**
 * The closed sets of the mapping layer's options, written once: the resolver, `runImport`'s checks, the
 * CLI's `--key` / `--unknown-columns` choices and the job config's zod enums all read these tables. Kept
 * free of heavy imports (no schema, no zod) so `import --help` builds its choices without loading the
 * resolver.
 */

/** How rows name their target. `name` and `path` name storage items of a folder (`--folder`); the others, data units of a dataset. */
export const KEY_KINDS = ['index', 'data_hash', 'title', 'item_uuid', 'name', 'path'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** The key kinds that name the items of a storage folder. */
export const FOLDER_KEY_KINDS = ['name', 'path', 'item_uuid'] as const satisfies readonly KeyKind[];

/** The key kinds that name data units of a dataset (a job config names a dataset, never a folder). */
export const DATASET_KEY_KINDS = ['index', 'data_hash', 'title', 'item_uuid'] as const satisfies readonly KeyKind[];

/**
 * What a column with no key in the schema does: `error` (refuse the file), `skip`, `json` (cells as `list`
 * writes them), `string` (cells as text). See `planColumns` (column-plan.ts) for the details.
 */
export const UNKNOWN_COLUMN_POLICIES = ['error', 'skip', 'json', 'string'] as const;
export type UnknownColumnPolicy = (typeof UNKNOWN_COLUMN_POLICIES)[number];

const ENCORD_HASH = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

/**
 * Whether `text` is shaped like an Encord hash: data hashes, dataset hashes and storage item uuids are uuids
 * (`8-4-4-4-12` hexadecimal, any case; the 32 digits without dashes are taken too). A key cell that matches
 * a unit as written always resolves; this only decides between `KEY_INVALID` and `KEY_NOT_FOUND`.
 */
export function isEncordHash(text: string): boolean {
  return ENCORD_HASH.test(text);
}
