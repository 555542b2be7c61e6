import { describe, expect, it } from 'vitest';
import type { DataUnit, DatasetListing } from '../../src/encord/metadata-store.js';
import { MetaError } from '../../src/errors.js';
import { KeyResolver, cellText, chooseKey, isEncordHash, targetOf, type KeyChoice, type KeyKind, type MappingCode } from '../../src/mapping/key-resolver.js';
import type { Cell } from '../../src/sources/source.js';

const unit = (index: number, dataHash: string, backingItemUuid: string | null): DataUnit => ({
  index,
  dataHash,
  title: `frame_${index}.jpg`,
  dataType: 'IMAGE',
  backingItemUuid,
  metadata: {},
});
const listing: DatasetListing = {
  datasetHash: '11111111-2222-4333-8444-555555555555',
  title: 'd',
  description: '',
  backingFolderUuid: null,
  units: [
    unit(0, 'c0ffee00-0000-4000-8000-000000000000', 'aaaaaaaa-0000-4000-8000-000000000000'),
    // A hash that is not uuid-shaped still resolves when a cell names it exactly.
    unit(1, 'legacy-hash-1', null),
  ],
};
const resolver = new KeyResolver(listing);

describe('key cells that are not syntactically keys are KEY_INVALID; well-formed ones that match nothing are KEY_NOT_FOUND', () => {
  it.each<[string, 'data_hash' | 'item_uuid', string]>([
    ['a data hash "zzz"', 'data_hash', 'zzz'],
    ['a data hash with a path in it', 'data_hash', '../../etc/passwd'],
    ['a data hash one digit short', 'data_hash', 'c0ffee00-0000-4000-8000-00000000000'],
    ['an item uuid "zzz"', 'item_uuid', 'zzz'],
  ])('%s → KEY_INVALID', (_what, kind, cell) => {
    expect(resolver.resolve(kind, cell)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });

  it.each<[string, 'data_hash' | 'item_uuid', string]>([
    ['a well-formed data hash not in the dataset', 'data_hash', 'c0ffee00-0000-4000-8000-0000000000ff'],
    ['a well-formed item uuid not in the dataset', 'item_uuid', 'bbbbbbbb-0000-4000-8000-000000000000'],
  ])('%s → KEY_NOT_FOUND', (_what, kind, cell) => {
    expect(resolver.resolve(kind, cell)).toMatchObject({ ok: false, code: 'KEY_NOT_FOUND' });
  });

  it('hashes that match a unit resolve, whatever their shape or case', () => {
    expect(resolver.resolve('data_hash', 'C0FFEE00-0000-4000-8000-000000000000')).toMatchObject({ ok: true, units: [{ index: 0 }] });
    expect(resolver.resolve('data_hash', 'legacy-hash-1')).toMatchObject({ ok: true, units: [{ index: 1 }] });
    expect(resolver.resolve('item_uuid', 'aaaaaaaa-0000-4000-8000-000000000000')).toMatchObject({ ok: true, units: [{ index: 0 }] });
  });
});

// ---------------------------------------------------------------- tables: every key kind, every edge

const H = (n: number): string => `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ITEM_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const ITEM_B = 'bbbbbbbb-0000-4000-8000-000000000002';
/**
 * 0 and 2 share storage item A (a video and its copy); 1 and 3 share the title `dup.jpg`; 4 is a legacy unit
 * (no item) with a hash that is not uuid-shaped; 5 is backed by item B alone.
 */
const table: DatasetListing = {
  datasetHash: '11111111-2222-4333-8444-555555555555',
  title: 'table',
  description: '',
  backingFolderUuid: null,
  units: [
    { index: 0, dataHash: H(0), title: 'a.jpg', dataType: 'IMAGE', backingItemUuid: ITEM_A, metadata: {} },
    { index: 1, dataHash: H(1), title: 'dup.jpg', dataType: 'IMAGE', backingItemUuid: null, metadata: {} },
    { index: 2, dataHash: H(2), title: 'a-copy.jpg', dataType: 'IMAGE', backingItemUuid: ITEM_A, metadata: {} },
    { index: 3, dataHash: H(3), title: 'dup.jpg', dataType: 'IMAGE', backingItemUuid: null, metadata: {} },
    { index: 4, dataHash: 'legacy-4', title: 'Ünïcode 東.jpg', dataType: 'IMAGE', backingItemUuid: null, metadata: {} },
    { index: 5, dataHash: H(5), title: 'b.jpg', dataType: 'IMAGE', backingItemUuid: ITEM_B, metadata: {} },
  ],
};
const six = new KeyResolver(table);
const LONG = 'x'.repeat(200);

describe('KeyResolver.resolve: cells that find units (the units, in listing order)', () => {
  it.each<[string, KeyKind, Cell, number[]]>([
    ['index 0', 'index', '0', [0]],
    ['the last index', 'index', '5', [5]],
    ['index with blanks around', 'index', ' 3\t', [3]],
    ['index with leading zeros is the same number', 'index', '0005', [5]],
    ['a Parquet integer cell', 'index', 2, [2]],
    ['a Parquet INT64 cell (bigint)', 'index', 4n, [4]],
    ['data hash as listed', 'data_hash', H(3), [3]],
    ['data hash upper-cased', 'data_hash', H(3).toUpperCase(), [3]],
    ['data hash with blanks around', 'data_hash', `  ${H(5)}  `, [5]],
    ['a hash that is not uuid-shaped, exactly as listed', 'data_hash', 'legacy-4', [4]],
    ['a unique title', 'title', 'b.jpg', [5]],
    ['a non-ASCII title', 'title', 'Ünïcode 東.jpg', [4]],
    ['a title with blanks around (the cell is trimmed)', 'title', ' a.jpg ', [0]],
    ['an item backing two units: both, in listing order', 'item_uuid', ITEM_A, [0, 2]],
    ['an item uuid upper-cased', 'item_uuid', ITEM_A.toUpperCase(), [0, 2]],
    ['an item backing one unit', 'item_uuid', ITEM_B, [5]],
    ['a folder item by name', 'name', 'b.jpg', [5]],
    ['a folder item by path', 'path', 'a-copy.jpg', [2]],
  ])('%s: %o → %o', (_what, kind, cell, want) => {
    const r = six.resolve(kind, cell);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(r.ok && r.units.map((u) => u.index)).toEqual(want);
    if (r.ok) for (const u of r.units) expect(u.dataHash).toBe(table.units[u.index]!.dataHash);
  });
});

describe('KeyResolver.resolve: cells that find nothing, with the code and what the message says', () => {
  it.each<[string, KeyKind, Cell, MappingCode, string]>([
    ['empty', 'index', '', 'KEY_EMPTY', 'the key cell is empty'],
    ['blanks only', 'data_hash', ' \t ', 'KEY_EMPTY', 'the key cell is empty'],
    ['null (Parquet NULL)', 'title', null, 'KEY_EMPTY', 'the key cell is empty'],
    ['negative index', 'index', '-1', 'KEY_INVALID', 'got "-1"'],
    ['decimal index', 'index', '1.0', 'KEY_INVALID', 'got "1.0"'],
    ['exponent index', 'index', '1e2', 'KEY_INVALID', 'got "1e2"'],
    ['plus sign', 'index', '+1', 'KEY_INVALID', 'got "+1"'],
    ['thousands separator', 'index', '1,000', 'KEY_INVALID', 'got "1,000"'],
    ['a fraction from Parquet', 'index', 2.5, 'KEY_INVALID', 'got "2.5"'],
    ['a boolean', 'index', true, 'KEY_INVALID', 'got "true"'],
    ['one past the end', 'index', '6', 'KEY_NOT_FOUND', 'index 6 is past the end of the dataset (it has 6 data units, 0 to 5)'],
    ['far past the end', 'index', '99999999999999999999', 'KEY_NOT_FOUND', 'past the end'],
    ['a data hash that is not a hash', 'data_hash', 'frame.jpg', 'KEY_INVALID', 'expected a data hash'],
    ['a well-formed data hash of no unit', 'data_hash', H(9), 'KEY_NOT_FOUND', `no data unit with data hash "${H(9)}"`],
    ['32 hex digits without dashes, no unit', 'data_hash', 'c0ffee00000040008000000000000009', 'KEY_NOT_FOUND', 'no data unit with data hash'],
    ['a title of two units', 'title', 'dup.jpg', 'KEY_AMBIGUOUS_TITLE', '2 data units are titled "dup.jpg"; use data_hash or index'],
    ['a title in another case', 'title', 'B.JPG', 'KEY_NOT_FOUND', 'no data unit titled "B.JPG"'],
    ['a title of no unit', 'title', 'c.jpg', 'KEY_NOT_FOUND', 'no data unit titled "c.jpg"'],
    ['an item uuid that is not a uuid', 'item_uuid', 'item-1', 'KEY_INVALID', 'expected a storage item uuid'],
    ['a well-formed item uuid of no unit', 'item_uuid', 'cccccccc-0000-4000-8000-000000000003', 'KEY_NOT_FOUND', 'no data unit of this dataset is backed by storage item'],
    ['a name of two items', 'name', 'dup.jpg', 'KEY_AMBIGUOUS', '2 storage items have the name "dup.jpg"; use item_uuid'],
    ['a path of no item', 'path', 'sub/x.jpg', 'KEY_NOT_FOUND', 'no storage item with path "sub/x.jpg" in this folder'],
    ['a long cell is clipped in the message', 'title', LONG, 'KEY_NOT_FOUND', `"${'x'.repeat(77)}..."`],
  ])('%s: %o → %s', (_what, kind, cell, code, message) => {
    const r = six.resolve(kind, cell);
    expect(r).toMatchObject({ ok: false, code });
    expect(!r.ok && r.message).toContain(message);
    if (!r.ok) expect(r.message.length).toBeLessThan(300);
  });
});

describe('KeyResolver without a listing (--key item_uuid on storage items, nothing listed)', () => {
  const bare = new KeyResolver(null);
  it.each<[string, Cell, string]>([
    ['a lower-case uuid', ITEM_A, ITEM_A],
    ['an upper-case uuid is lower-cased', ITEM_A.toUpperCase(), ITEM_A],
    ['blanks around', ` ${ITEM_B} `, ITEM_B],
  ])('%s names its item: %o', (_what, cell, uuid) => {
    expect(bare.resolve('item_uuid', cell)).toEqual({ ok: true, units: [{ index: -1, dataHash: uuid, title: uuid, dataType: '', backingItemUuid: uuid, metadata: null }] });
  });
  it.each<[string, KeyKind, Cell, MappingCode]>([
    ['32 hex digits without dashes', 'item_uuid', 'aaaaaaaa000040008000000000000001', 'KEY_INVALID'],
    ['not a uuid', 'item_uuid', 'nope', 'KEY_INVALID'],
    ['an index', 'index', '0', 'KEY_INVALID'],
    ['a title', 'title', 'a.jpg', 'KEY_INVALID'],
    ['empty', 'item_uuid', '', 'KEY_EMPTY'],
  ])('%s (--key %s) → %s', (_what, kind, cell, code) => {
    expect(bare.resolve(kind, cell)).toMatchObject({ ok: false, code });
  });
  it('has no units and no canonical index', () => {
    expect(bare.unitCount).toBe(0);
    expect(bare.canonicalIndex(table.units[0]!)).toBe(-1);
    expect(bare.isShared(table.units[0]!)).toBe(false);
  });
});

describe('KeyResolver: shared write targets', () => {
  it.each<[number, number, boolean]>([
    [0, 0, true],
    [2, 0, true],
    [1, 1, false],
    [4, 4, false],
    [5, 5, false],
  ])('unit %i writes through unit %i (shared: %s)', (i, canonical, shared) => {
    expect(six.canonicalIndex(table.units[i]!)).toBe(canonical);
    expect(six.isShared(table.units[i]!)).toBe(shared);
  });
  it.each<[number, string]>([
    [0, ITEM_A],
    [2, ITEM_A],
    [1, `row:${H(1)}`],
    [4, 'row:legacy-4'],
  ])('targetOf(unit %i) is %s', (i, target) => {
    expect(targetOf(table.units[i]!)).toBe(target);
  });
});

describe('chooseKey', () => {
  it.each<[string, string[], KeyKind | undefined, string | undefined, KeyChoice]>([
    ['index alone', ['index', 'city'], undefined, undefined, { kind: 'index', column: 'index' }],
    ['a data hash beats a title and an index (a hash never changes)', ['index', 'title', 'data_hash'], undefined, undefined, { kind: 'data_hash', column: 'data_hash' }],
    ['item_uuid beats title', ['title', 'item_uuid'], undefined, undefined, { kind: 'item_uuid', column: 'item_uuid' }],
    ['backing_item_uuid is an item uuid', ['backing_item_uuid', 'index'], undefined, undefined, { kind: 'item_uuid', column: 'backing_item_uuid' }],
    ['title beats index', ['index', 'title'], undefined, undefined, { kind: 'title', column: 'title' }],
    ['--key index picks the index column though a hash is there', ['data_hash', 'index'], 'index', undefined, { kind: 'index', column: 'index' }],
    ['--key item_uuid finds backing_item_uuid', ['backing_item_uuid'], 'item_uuid', undefined, { kind: 'item_uuid', column: 'backing_item_uuid' }],
    ['--key name needs a column called name', ['name', 'city'], 'name', undefined, { kind: 'name', column: 'name' }],
    ['--key path', ['path'], 'path', undefined, { kind: 'path', column: 'path' }],
    ['--key-column of an id column gives its kind', ['id', 'title'], undefined, 'title', { kind: 'title', column: 'title' }],
    ['--key-column with --key', ['file'], 'title', 'file', { kind: 'title', column: 'file' }],
    ['--key-column backing_item_uuid', ['backing_item_uuid'], undefined, 'backing_item_uuid', { kind: 'item_uuid', column: 'backing_item_uuid' }],
  ])('%s', (_what, columns, kind, column, want) => {
    expect(chooseKey(columns, kind, column)).toEqual(want);
  });

  it.each<[string, string[], KeyKind | undefined, string | undefined, string]>([
    ['no id column at all', ['city', 'name', 'path'], undefined, undefined, 'no key column: name one of the columns index, data_hash, title or item_uuid'],
    ['--key title without a title column', ['index'], 'title', undefined, '--key title needs a column named title'],
    ['--key-column not in the file', ['index'], undefined, 'idx', '--key-column "idx" is not a column of the file (columns: index)'],
    ['--key-column of a plain column without --key', ['file'], undefined, 'file', 'say what "file" holds with --key'],
    ['--key-column data_type (an info column) without --key', ['data_type'], undefined, 'data_type', 'say what "data_type" holds'],
    ['--key-column __proto__ is a plain column', ['__proto__'], undefined, '__proto__', 'say what "__proto__" holds'],
  ])('%s: USAGE_KEY_COLUMN', (_what, columns, kind, column, message) => {
    let caught: unknown;
    try {
      chooseKey(columns, kind, column);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MetaError);
    expect(caught).toMatchObject({ code: 'USAGE_KEY_COLUMN' });
    expect((caught as Error).message).toContain(message);
  });
});

describe('a key cell that names a unit exactly is that unit, before any trimming or case folding', () => {
  // Titles are file names, and a file name may end in a blank; hashes that are not uuids keep their case.
  const near: DatasetListing = {
    ...listing,
    units: [
      { index: 0, dataHash: 'odd-hash', title: 'a.jpg', dataType: 'IMAGE', backingItemUuid: null, metadata: {} },
      { index: 1, dataHash: 'ODD-HASH', title: 'a.jpg ', dataType: 'IMAGE', backingItemUuid: null, metadata: {} },
      { index: 2, dataHash: H(2), title: ' b.jpg', dataType: 'IMAGE', backingItemUuid: null, metadata: {} },
    ],
  };
  const r = new KeyResolver(near);
  it.each<[string, KeyKind, string, number]>([
    ['"a.jpg " is the unit titled "a.jpg ", not "a.jpg"', 'title', 'a.jpg ', 1],
    ['"a.jpg" is the unit titled "a.jpg"', 'title', 'a.jpg', 0],
    ['" b.jpg" is the unit titled " b.jpg"', 'title', ' b.jpg', 2],
    ['" a.jpg" (no unit has that title) is the unit titled "a.jpg", as before', 'title', ' a.jpg', 0],
    ['"ODD-HASH" is the unit with that hash, not "odd-hash"', 'data_hash', 'ODD-HASH', 1],
    ['"odd-hash" is the unit with that hash', 'data_hash', 'odd-hash', 0],
  ])('%s', (_what, kind, cell, want) => {
    const got = r.resolve(kind, cell);
    expect(got.ok ? got.units.map((u) => u.index) : got.code).toEqual([want]);
  });
});

describe('isEncordHash and cellText', () => {
  it.each<[string, boolean]>([
    ['3fa85f64-5717-4562-b3fc-2c963f66afa6', true],
    ['3FA85F64-5717-4562-B3FC-2C963F66AFA6', true],
    ['3fa85f6457174562b3fc2c963f66afa6', true],
    ['3fa85f64-5717-4562-b3fc-2c963f66afa', false],
    ['3fa85f64-5717-4562-b3fc-2c963f66afa6 ', false],
    ['{3fa85f64-5717-4562-b3fc-2c963f66afa6}', false],
    ['3fa85f64-5717-4562-b3fc-2c963f66afag', false],
    ['', false],
  ])('isEncordHash(%o) is %s', (text, want) => {
    expect(isEncordHash(text)).toBe(want);
  });

  it.each<[Cell, string]>([
    [null, ''],
    ['', ''],
    [' a ', ' a '],
    [0, '0'],
    [-1.5, '-1.5'],
    [12345678901234567890n, '12345678901234567890'],
    [false, 'false'],
    [[1, 'a', null], '[1,"a",null]'],
    [[2n ** 60n], '["1152921504606846976"]'],
  ])('cellText(%o) is %o', (cell, want) => {
    expect(cellText(cell)).toBe(want);
  });
});
