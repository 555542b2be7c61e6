/**
 * Organisation-level v2 endpoints: the metadata schema in its simple (K/L) and typed (M/N) forms, and the
 * dataset listing (P).
 */
import { setOwn } from '../own.js';
import { SIMPLE_SCHEMA_TYPES, TYPED_SCHEMA_TYS, type WireTypedSchema } from '../encord/protocol/types.js';
import { isPlainObject } from './metadata-rules.js';
import { ORGANISATION_ID, v2Time } from './model.js';
import { json, v2Error, type Reply } from './reply.js';
import { likeToRegExp, type RouteContext } from './route-context.js';
import { queryOf } from './v2-common.js';

export function simpleSchemaWire(ctx: RouteContext): unknown {
  const s = ctx.store.simpleSchema;
  if (s === null) return null;
  return {
    uuid: s.uuid,
    metadataSchema: s.schema,
    organisationId: ORGANISATION_ID,
    createdAt: v2Time(s.createdAt),
    updatedAt: v2Time(s.updatedAt),
  };
}

const KEY_ALLOWED = /^[A-Za-z0-9]+$/;

/** SDK key rule (`_is_valid_metadata_key`): non-empty, no leading `$`, alphanumeric after removing `-_ .`. */
function keyProblem(key: string): string | null {
  if (key === '' || key.startsWith('$')) return `invalid key ${JSON.stringify(key)}`;
  if (!KEY_ALLOWED.test(key.replace(/[-_ .]/g, ''))) return `invalid key ${JSON.stringify(key)}`;
  if (key === 'keyframes') return 'the key "keyframes" is reserved';
  return null;
}

export function postSimpleSchema(ctx: RouteContext): Reply {
  const body = ctx.body;
  if (!isPlainObject(body)) return v2Error(400, 'The schema must be an object of key -> type');
  const allowed: readonly string[] = SIMPLE_SCHEMA_TYPES;
  const schema: Record<string, string> = {};
  for (const [key, type] of Object.entries(body)) {
    const problem = keyProblem(key);
    if (problem !== null) return v2Error(400, problem);
    if (typeof type !== 'string' || !allowed.includes(type)) {
      return v2Error(400, `Unknown type ${JSON.stringify(type)} for key ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`);
    }
    setOwn(schema, key, type);
  }
  ctx.store.setSimpleSchema(schema);
  return json(200, simpleSchemaWire(ctx));
}

function optionProblem(option: unknown): string | null {
  if (!isPlainObject(option) || typeof option['ty'] !== 'string') return 'each option must be an object with a string "ty"';
  const ty = option['ty'];
  if (!(TYPED_SCHEMA_TYS as readonly string[]).includes(ty)) return `unknown ty ${JSON.stringify(ty)}`;
  if (ty === 'varchar' && option['max_length'] !== undefined) {
    const m = option['max_length'];
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > 8192) return 'varchar max_length must be 0..8192';
  }
  if (ty === 'enum') {
    const v = option['values'];
    if (!Array.isArray(v) || v.length < 1 || v.length > 256 || !v.every((x) => typeof x === 'string')) {
      return 'enum values must be 1..256 strings';
    }
  }
  if (ty === 'embedding') {
    const size = option['size'];
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 4096) return 'embedding size must be 1..4096';
  }
  if (ty === 'tombstone' && option['deleted_ty'] != null) return optionProblem(option['deleted_ty']);
  return null;
}

/** POST schema-v2 replaces the whole schema (protocol §5.6). */
export function postTypedSchema(ctx: RouteContext): Reply {
  const body = ctx.body;
  if (!isPlainObject(body)) return v2Error(400, 'The schema must be an object of key -> option');
  for (const [key, option] of Object.entries(body)) {
    const problem = keyProblem(key) ?? optionProblem(option);
    if (problem !== null) return v2Error(400, `Key ${JSON.stringify(key)}: ${problem}`);
  }
  ctx.store.setTypedSchema(structuredClone(body) as WireTypedSchema);
  return json(200, ctx.store.typedSchema);
}

export function listDatasets(ctx: RouteContext): Reply {
  const q = queryOf(ctx.target);
  const text = (name: string): string | undefined => q.get(name)?.[0];
  const time = (name: string): number | undefined => {
    const v = text(name);
    return v === undefined ? undefined : Date.parse(v);
  };
  const titleEq = text('titleEq');
  const titleLike = text('titleLike');
  const descEq = text('descriptionEq');
  const descLike = text('descriptionLike');
  const titleRe = titleLike === undefined ? null : likeToRegExp(titleLike);
  const descRe = descLike === undefined ? null : likeToRegExp(descLike);
  const [cb, ca, eb, ea] = [time('createdBefore'), time('createdAfter'), time('editedBefore'), time('editedAfter')];
  if ([cb, ca, eb, ea].some((t) => t !== undefined && Number.isNaN(t))) return v2Error(400, 'Invalid date time parameter');
  const result = [];
  for (const ds of ctx.store.datasets.values()) {
    if (titleEq !== undefined && ds.title !== titleEq) continue;
    if (titleRe !== null && !titleRe.test(ds.title)) continue;
    if (descEq !== undefined && ds.description !== descEq) continue;
    if (descRe !== null && !descRe.test(ds.description)) continue;
    if (cb !== undefined && ds.createdAt >= cb) continue;
    if (ca !== undefined && ds.createdAt <= ca) continue;
    if (eb !== undefined && ds.lastEditedAt >= eb) continue;
    if (ea !== undefined && ds.lastEditedAt <= ea) continue;
    result.push({
      datasetUuid: ds.hash,
      title: ds.title,
      description: ds.description,
      createdAt: v2Time(ds.createdAt),
      lastEditedAt: v2Time(ds.lastEditedAt),
      userRole: 'admin',
      storageLocation: 0,
      backingFolderUuid: ds.folderUuid,
    });
  }
  return json(200, { result });
}
