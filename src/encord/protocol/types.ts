/**
 * Wire shapes of the Encord API (protocol §4, §5), shared by the client and the emulator. Field names are the
 * ones on the wire: snake_case for v1, camelCase for v2.
 */

/** A JSON value as it travels in `client_metadata`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** The custom metadata dictionary of a data unit. */
export type Metadata = { [key: string]: JsonValue };

// ---------------------------------------------------------------- v1 querier

/** Body of every v1 request (`POST /public`). Key order matters for parity with the SDK, not for the server. */
export interface V1Request {
  readonly query_type: string;
  readonly query_method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly values: { readonly uid: unknown; readonly payload: unknown };
}

/** v1 response envelope: success is `status: 200`; errors carry a one-element code list. */
export interface V1Envelope {
  readonly status: number;
  readonly response: unknown;
  readonly payload?: unknown;
}

/** v1 error codes (protocol §4.3) the client distinguishes. */
export const V1_ERROR_CODES = [
  'AUTHENTICATION_ERROR',
  'AUTHORISATION_ERROR',
  'RESOURCE_NOT_FOUND_ERROR',
  'METHOD_NOT_ALLOWED_ERROR',
  'UNKNOWN_ERROR',
  'OPERATION_NOT_ALLOWED',
  'INVALID_ARGUMENTS_ERROR',
  'SSH_KEY_NOT_FOUND_ERROR',
  'DUPLICATE_SSH_KEY_ERROR',
  'RESOURCE_EXISTS_ERROR',
  'INVALID_DATE_FORMAT_ERROR',
  'RATE_LIMIT_EXCEEDED',
] as const;
export type V1ErrorCode = (typeof V1_ERROR_CODES)[number];

/** DataRow JSON of v1 (protocol §4.5). */
export interface WireDataRow {
  data_hash: string;
  data_title: string;
  data_type: string;
  created_at: string;
  last_edited_at: string;
  width: number | null;
  height: number | null;
  file_link: string | null;
  file_size: number | null;
  file_type: string | null;
  storage_location: number;
  frames_per_second: number | null;
  duration: number | null;
  client_metadata?: Metadata | null;
  backing_item_uuid?: string | null;
  signed_url?: string | null;
  is_optimised_image_group?: boolean | null;
  images_data?: unknown[] | null;
}

/** Dataset JSON of v1 call A (protocol §4.6). */
export interface WireDataset {
  dataset_hash: string;
  title: string;
  description: string;
  dataset_type: string;
  backing_folder_uuid?: string | null;
  data_rows?: WireDataRow[];
}

/** Response of v1 call D (`datarow`/`POST`). */
export interface WireSaveResponse {
  updated_fields: string[];
  data_row: WireDataRow;
}

/** Payload of v1 call B (`datarows`/`GET`). All keys always present in SDK requests. */
export interface WireDataRowsFilter {
  title_eq?: string | null;
  title_like?: string | null;
  created_before?: string | null;
  created_after?: string | null;
  data_types?: string[] | null;
  dataset_access_settings?: { fetch_client_metadata?: boolean };
  data_hashes?: string[] | null;
}

// ---------------------------------------------------------------- v2 REST

/** StorageItem JSON of v2 (protocol §5.5). `clientMetadata` is a JSON-encoded string in responses. */
export interface WireStorageItem {
  uuid: string;
  parent: string;
  itemType: string;
  name: string;
  description: string;
  clientMetadata: string | null;
  owner: string;
  createdAt: string;
  lastEditedAt: string;
  backedDataUnitsCount: number;
  storageLocation: string;
  integrationHash: string | null;
  url: string | null;
  signedUrl: string | null;
  fileSize: number | null;
  mimeType: string | null;
  duration: number | null;
  fps: number | null;
  height: number | null;
  width: number | null;
  dicomInstanceUid: string | null;
  dicomStudyUid: string | null;
  dicomSeriesUid: string | null;
  frameCount: number | null;
  audioSampleRate: number | null;
  audioBitDepth: number | null;
  audioCodec: string | null;
  audioNumChannels: number | null;
  isTombstone: boolean;
  isPlaceholder: boolean;
}

/** `Page<T>` of v2. */
export interface WirePage<T> {
  results: T[];
  nextPageToken?: string | null;
}

/** Body of `PATCH storage/items/patch-bulk`. */
export interface WirePatchBulkRequest {
  itemPatches: Record<string, { clientMetadata?: Metadata; name?: string; description?: string }>;
}

/** Body of `POST storage/items/get-bulk`. */
export interface WireGetBulkRequest {
  itemUuids: string[];
  signUrls?: boolean;
}

// ---------------------------------------------------------------- metadata schema (protocol §5.6)

/** Type strings of the old simple schema form (endpoints K/L). */
export const SIMPLE_SCHEMA_TYPES = [
  'number',
  'string',
  'boolean',
  'datetime',
  'geospatial',
  'enum',
  'embedding',
  'long_string',
] as const;
export type SimpleSchemaType = (typeof SIMPLE_SCHEMA_TYPES)[number];

/** Response of GET `organisation/client-metadata-schema`. */
export interface WireSimpleSchemaResponse {
  uuid: string;
  metadataSchema: Record<string, string>;
  organisationId: number;
  createdAt: string;
  updatedAt: string;
}

/** `ty` discriminators of the typed (v2) schema form. */
export const TYPED_SCHEMA_TYS = [
  'number',
  'boolean',
  'varchar',
  'text',
  'datetime',
  'enum',
  'embedding',
  'geospatial',
  'uuid',
  'variant',
  'user',
  'tombstone',
] as const;
export type TypedSchemaTy = (typeof TYPED_SCHEMA_TYS)[number];

/** One option of the typed schema. Unknown fields are kept as they are and re-sent untouched. */
export type WireTypedOption =
  | { ty: 'number'; format?: 'F32' | 'F64' }
  | { ty: 'boolean' }
  | { ty: 'varchar'; max_length?: number }
  | { ty: 'text' }
  | { ty: 'datetime'; timezone?: 'UTC' }
  | { ty: 'enum'; values: string[] }
  | { ty: 'embedding'; size: number; api?: unknown }
  | { ty: 'geospatial' }
  | { ty: 'uuid' }
  | { ty: 'variant'; hint?: 'number' | 'varchar' | 'text' | 'boolean' | 'datetime' | 'uuid' }
  | { ty: 'user' }
  | { ty: 'tombstone'; deleted_ty: WireTypedOption | null };

/** The typed schema map (endpoints M/N). */
export type WireTypedSchema = Record<string, WireTypedOption>;

/** Response of GET `user/bearer-token`. */
export interface WireBearerToken {
  token: string;
}

/** v1 resource header names (always present on v1 requests, possibly empty). */
export const V1_HEADERS = { resourceType: 'resourcetype', resourceId: 'resourceid' } as const;

/** Path prefixes. */
export const V1_PATH = '/public';
export const V1_USER_PATH = '/public/user';
export const V2_PREFIX = '/v2/public/';
