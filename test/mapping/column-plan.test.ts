/**
 * planColumns, as tables: which file column becomes which metadata key (renames, ignores, constants, geo
 * pairs, id and `_` columns, the unknown-columns policies) and which plans are refused before any row is read.
 */
import { describe, expect, it } from 'vitest';
import { MetaError } from '../../src/errors.js';
import { planColumns, type ColumnMapping, type ColumnPlan, type UnknownColumnPolicy } from '../../src/mapping/column-plan.js';
import type { FieldSpec, MetaSchema } from '../../src/schema/index.js';

const CITY: FieldSpec = { type: 'string', maxLength: 100 };
const SCORE: FieldSpec = { type: 'number', format: 'F64' } as FieldSpec;
const GPS: FieldSpec = { type: 'geospatial' };
const INTERNAL: FieldSpec = { type: 'string', maxLength: 10 };
const schema: MetaSchema = {
  fields: new Map<string, FieldSpec>([
    ['city', CITY],
    ['score', SCORE],
    ['gps', GPS],
    // A schema may have keys starting with `_`: those columns are metadata, not report columns.
    ['_internal', INTERNAL],
  ]),
  rawOptions: new Map(),
};
/** What `--unknown-columns json|string` reads an unknown key as. */
const AS_STRING = { type: 'string', maxLength: 8192 };

interface Case {
  readonly columns: string[];
  readonly key?: string;
  readonly mapping?: ColumnMapping;
  readonly policy?: UnknownColumnPolicy;
}
const plan = (c: Case): ColumnPlan => planColumns({ columns: c.columns, keyColumn: c.key ?? 'index', schema, mapping: c.mapping, unknownColumns: c.policy, source: 'f.csv' });
/** The fields as short tuples: cell key←column, constant key=raw, geo key←lat+lon. */
const fieldsOf = (p: ColumnPlan): string[] =>
  p.fields.map((f) =>
    f.kind === 'cell' ? `${f.key}←${f.column}${f.unknown ? ` (${f.unknown})` : ''}` : f.kind === 'constant' ? `${f.key}=${String(f.raw)}${f.unknown ? ` (${f.unknown})` : ''}` : `${f.key}←${f.latitude}+${f.longitude}`,
  );
const skippedOf = (p: ColumnPlan): string[] => p.skipped.map((s) => `${s.column}: ${s.reason}`);

describe('planColumns: what is imported, in order (geo pairs, then columns in file order, then constants)', () => {
  it.each<[string, Case, string[]]>([
    ['schema keys by their own names; the key column is not metadata', { columns: ['index', 'city', 'score'] }, ['city←city', 'score←score']],
    ['the key column may be any column', { columns: ['city', 'file'], key: 'file' }, ['city←city']],
    ['a rename maps a column onto a schema key', { columns: ['index', 'town'], mapping: { rename: { town: 'city' } } }, ['city←town']],
    ['a rename may map an id column (not the key) onto a key', { columns: ['index', 'title'], mapping: { rename: { title: 'city' } } }, ['city←title']],
    ['a geo pair comes first, whatever its columns\' place', { columns: ['index', 'city', 'lat', 'lon'], mapping: { geo: [{ key: 'gps', latitude: 'lat', longitude: 'lon' }] } }, ['gps←lat+lon', 'city←city']],
    ['constants come last; numbers and booleans as their text', { columns: ['index', 'city'], mapping: { constants: { score: 5, _internal: true } } }, ['city←city', 'score=5', '_internal=true']],
    ['a schema key starting with _ is a column like any other', { columns: ['index', '_internal'] }, ['_internal←_internal']],
    ['json: unknown keys are read as list writes them', { columns: ['index', 'city', 'extra'], policy: 'json' }, ['city←city', 'extra←extra (json)']],
    ['string: unknown keys are read as text', { columns: ['index', 'extra'], policy: 'string' }, ['extra←extra (string)']],
    ['string: an unknown constant too', { columns: ['index'], policy: 'string', mapping: { constants: { note: 'x' } } }, ['note=x (string)']],
    ['skip: unknown keys are left out', { columns: ['index', 'city', 'extra'], policy: 'skip' }, ['city←city']],
    ['a listing (index, data_hash, title, item_uuid first) defaults to json', { columns: ['index', 'data_hash', 'title', 'item_uuid', 'extra'] }, ['extra←extra (json)']],
    ['id columns in another order are not a listing: no key, nothing to refuse', { columns: ['data_hash', 'index', 'title', 'item_uuid'], key: 'data_hash' }, []],
  ])('%s', (_what, c, fields) => {
    expect(fieldsOf(plan(c))).toEqual(fields);
  });

  it.each<[string, Case, FieldSpec | typeof AS_STRING]>([
    ['a schema key has its schema spec', { columns: ['index', 'score'] }, SCORE],
    ['a renamed column has its target key\'s spec', { columns: ['index', 'points'], mapping: { rename: { points: 'score' } } }, SCORE],
    ['an unknown key under json is a string of up to 8192', { columns: ['index', 'extra'], policy: 'json' }, AS_STRING],
    ['an unknown geo key under json is a string too', { columns: ['index', 'a', 'b'], policy: 'json', mapping: { geo: [{ key: 'where', latitude: 'a', longitude: 'b' }] } }, AS_STRING],
  ])('%s', (_what, c, spec) => {
    expect(plan(c).fields[0]!.spec).toEqual(spec);
  });
});

describe('planColumns: columns read but not imported, with why', () => {
  it.each<[string, Case, string[]]>([
    ['other id columns identify the unit', { columns: ['index', 'data_hash', 'title', 'item_uuid', 'backing_item_uuid', 'data_type', 'city'], policy: 'error' }, ['data_hash: identifies the data unit', 'title: identifies the data unit', 'item_uuid: identifies the data unit', 'backing_item_uuid: identifies the data unit', 'data_type: identifies the data unit']],
    ['report columns', { columns: ['index', 'city', '_line', '_error_code', '_error'] }, ['_line: starts with _ (report column)', '_error_code: starts with _ (report column)', '_error: starts with _ (report column)']],
    ['pandas\' row index', { columns: ['_index', 'index'] }, ["_index: pandas' row index (the first header cell was empty)"]],
    ['an unnamed column', { columns: ['index', '_unnamed_2'] }, ['_unnamed_2: no name in the header (--skip-unnamed-columns)']],
    ['a _ column stays out even when renamed onto a key', { columns: ['index', '_keyframes'], mapping: { rename: { _keyframes: 'city' } } }, ['_keyframes: starts with _ (report column)']],
    ['ignored by config', { columns: ['index', 'city', 'notes'], mapping: { ignore: ['notes'] } }, ['notes: ignored by config']],
    ['renamed to null', { columns: ['index', 'notes'], mapping: { rename: { notes: null } } }, ['notes: ignored by config (rename: null)']],
    ['ignore wins over a rename', { columns: ['index', 'notes'], mapping: { ignore: ['notes'], rename: { notes: 'city' } } }, ['notes: ignored by config']],
    ['unknown under skip', { columns: ['index', 'a', 'b'], policy: 'skip' }, ['a: no such key in the schema (--unknown-columns skip)', 'b: no such key in the schema (--unknown-columns skip)']],
    ['geo columns are used, not skipped', { columns: ['index', 'lat', 'lon'], mapping: { geo: [{ key: 'gps', latitude: 'lat', longitude: 'lon' }] } }, []],
    ['a constant for a key the schema lacks, under skip: said, not dropped in silence', { columns: ['index'], mapping: { constants: { site: 'north' } }, policy: 'skip' }, ['constant site: no such key in the schema (--unknown-columns skip)']],
    ['a geo key the schema lacks, under skip: both columns said', { columns: ['index', 'lat', 'lon'], mapping: { geo: [{ key: 'where', latitude: 'lat', longitude: 'lon' }] }, policy: 'skip' }, ['lat: geo key "where" is not in the schema (--unknown-columns skip)', 'lon: geo key "where" is not in the schema (--unknown-columns skip)']],
    ['an ignored column may be unknown to the schema', { columns: ['index', 'mystery'], mapping: { ignore: ['mystery'] }, policy: 'error' }, ['mystery: ignored by config']],
  ])('%s', (_what, c, skipped) => {
    expect(skippedOf(plan(c))).toEqual(skipped);
  });

  it.each<[string[], UnknownColumnPolicy | undefined, UnknownColumnPolicy, boolean]>([
    [['index', 'city'], undefined, 'error', false],
    [['index', 'data_hash', 'title', 'item_uuid', 'city'], undefined, 'json', true],
    [['index', 'data_hash', 'title', 'item_uuid', 'city'], 'error', 'error', true],
    [['index', 'data_hash', 'title', 'city'], undefined, 'error', false],
    [['index', 'city'], 'string', 'string', false],
  ])('columns %j, --unknown-columns %s: policy %s, from a listing: %s', (columns, policy, unknownColumns, fromListing) => {
    expect(plan({ columns, ...(policy && { policy }) })).toMatchObject({ unknownColumns, fromListing });
  });
});

describe('planColumns: refused before any row is read (code, and what the message names)', () => {
  it.each<[string, Case, string, string[]]>([
    ['an unknown column (error is the default)', { columns: ['index', 'city', 'weather'] }, 'SCHEMA_UNKNOWN_COLUMNS', ['f.csv: column "weather" has no key', 'Add it (encord-meta schema push)', '--unknown-columns skip (leave it out)', 'Nothing was written']],
    ['two unknown columns, named in file order', { columns: ['index', 'b', 'a'] }, 'SCHEMA_UNKNOWN_COLUMNS', ['columns "b", "a" have no key', 'Add them', 'leave them out']],
    ['a renamed column onto an unknown key names both', { columns: ['index', 'town'], mapping: { rename: { town: 'place' } } }, 'SCHEMA_UNKNOWN_COLUMNS', ['"town" (mapped to "place")']],
    ['an unknown constant', { columns: ['index'], mapping: { constants: { lane: 'x' } } }, 'SCHEMA_UNKNOWN_COLUMNS', ['constant "lane"']],
    ['an unknown geo key', { columns: ['index', 'a', 'b'], mapping: { geo: [{ key: 'where', latitude: 'a', longitude: 'b' }] } }, 'SCHEMA_UNKNOWN_COLUMNS', ['"where" (geo of a, b)']],
    ['a keyframes column, even under skip', { columns: ['index', 'keyframes'], policy: 'skip' }, 'USAGE_RESERVED_KEY', ['f.csv: column "keyframes" would set "keyframes"', 'Nothing was written']],
    ['a keyframes column under json', { columns: ['index', 'keyframes'], policy: 'json' }, 'USAGE_RESERVED_KEY', ['column "keyframes"']],
    ['a rename onto keyframes', { columns: ['index', 'kf'], mapping: { rename: { kf: 'keyframes' } } }, 'USAGE_RESERVED_KEY', ['column "kf" (mapped to "keyframes")']],
    ['a keyframes constant', { columns: ['index'], mapping: { constants: { keyframes: '[1]' } }, policy: 'skip' }, 'USAGE_RESERVED_KEY', ['constant "keyframes"']],
    ['a keyframes geo key', { columns: ['index', 'a', 'b'], mapping: { geo: [{ key: 'keyframes', latitude: 'a', longitude: 'b' }] }, policy: 'json' }, 'USAGE_RESERVED_KEY', ['config geo.keyframes']],
    ['a rename onto a key another column has', { columns: ['index', 'city', 'town'], mapping: { rename: { town: 'city' } } }, 'CONFIG_DUPLICATE_KEY', ['metadata key "city" would be set by both column "city" and column "town"']],
    ['a constant for a key a column has', { columns: ['index', 'score'], mapping: { constants: { score: 1 } } }, 'CONFIG_DUPLICATE_KEY', ['both column "score" and constant "score"']],
    ['a geo key a column also has', { columns: ['index', 'gps', 'a', 'b'], mapping: { geo: [{ key: 'gps', latitude: 'a', longitude: 'b' }] } }, 'CONFIG_DUPLICATE_KEY', ['both columns a+b and column "gps"']],
    ['two geo pairs for one key', { columns: ['index', 'a', 'b', 'c', 'd'], mapping: { geo: [{ key: 'gps', latitude: 'a', longitude: 'b' }, { key: 'gps', latitude: 'c', longitude: 'd' }] } }, 'CONFIG_DUPLICATE_KEY', ['both columns a+b and columns c+d']],
    ['a geo column not in the file', { columns: ['index', 'lat'], mapping: { geo: [{ key: 'gps', latitude: 'lat', longitude: 'lng' }] } }, 'CONFIG_UNKNOWN_COLUMN', ['config geo.gps: column "lng" is not in f.csv (columns: index, lat)']],
    ['a rename of a column not in the file', { columns: ['index', 'city'], mapping: { rename: { town: 'city' } } }, 'CONFIG_UNKNOWN_COLUMN', ['config rename: column "town" is not in f.csv']],
  ])('%s: %s', (_what, c, code, parts) => {
    let caught: unknown;
    try {
      plan(c);
    } catch (error) {
      caught = error;
    }
    expect(caught, 'refused').toBeInstanceOf(MetaError);
    expect((caught as MetaError).code).toBe(code);
    for (const part of parts) expect((caught as Error).message).toContain(part);
  });

  it('an identifying column that is also a schema key is refused, not dropped: its cells were never written', () => {
    const withTitle: MetaSchema = { fields: new Map<string, FieldSpec>([...schema.fields, ['title', CITY], ['data_type', CITY]]), rawOptions: new Map() };
    const planWith = (c: Case): ColumnPlan => planColumns({ columns: c.columns, keyColumn: c.key ?? 'index', schema: withTitle, mapping: c.mapping, unknownColumns: c.policy, source: 'f.csv' });
    for (const column of ['title', 'data_type']) {
      for (const policy of ['error', 'skip', 'json'] as const) {
        expect(() => planWith({ columns: ['data_hash', 'city', column], key: 'data_hash', policy }), `${column} ${policy}`).toThrow(
          expect.objectContaining({ code: 'USAGE_KEY_COLUMN', message: expect.stringContaining(`column "${column}" is also a key of the metadata schema`) }) as unknown as Error,
        );
      }
    }
    // Said which it is: the key column, a rename onto the key (then written), an ignore.
    expect(fieldsOf(planWith({ columns: ['title', 'city'], key: 'title' }))).toEqual(['city←city']);
    expect(fieldsOf(planWith({ columns: ['data_hash', 'title'], key: 'data_hash', mapping: { rename: { title: 'title' } } }))).toEqual(['title←title']);
    expect(fieldsOf(planWith({ columns: ['data_hash', 'title', 'city'], key: 'data_hash', mapping: { ignore: ['title'] } }))).toEqual(['city←city']);
  });

  it('a reserved key is refused before the unknown-columns policy is consulted (no policy makes it writable)', () => {
    for (const policy of ['error', 'skip', 'json', 'string'] as const) {
      expect(() => plan({ columns: ['index', 'keyframes', 'mystery'], policy })).toThrow(expect.objectContaining({ code: 'USAGE_RESERVED_KEY' }) as unknown as Error);
    }
  });
});
