/**
 * Encord's own bounds, shared by the client (which chunks by them), the pipeline (whose `batchSize` cannot
 * exceed them) and the CLI's flags. Kept free of imports so `--help` can read them without loading the client.
 */

/**
 * Most items per v2 get-bulk / patch-bulk request and per v1 data-hash query: the SDK's
 * `STORAGE_BUNDLE_CREATE_LIMIT`, Encord's bundle size.
 */
export const MAX_BULK_CHUNK = 1000;
