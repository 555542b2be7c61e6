import { describe, expect, it } from 'vitest';
import type { DataUnit, DatasetListing } from '../../src/encord/metadata-store.js';
import { KeyResolver } from '../../src/mapping/key-resolver.js';

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
