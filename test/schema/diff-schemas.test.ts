import { describe, expect, it } from 'vitest';
import { diffSchemas, formatSchemaDiff, isEmptyDiff } from '../../src/schema/diff-schemas.js';
import { parseSchemaDocument } from '../../src/schema/schema-document.js';
import { fromTypedWire } from '../../src/schema/wire-schema.js';

describe('diffSchemas', () => {
  const current = parseSchemaDocument(
    '{"city":"string","weather":"enum(sunny,rainy)","legacy_id":"number","emb":"embedding(8)"}',
    'current.json',
  );
  const next = parseSchemaDocument(
    '{"weather":"enum(rainy,sunny)","city":"datetime","emb":"embedding(16)","captured_at":"datetime"}',
    'next.json',
  );

  it('added, removed, changed, unchanged; enum order does not matter', () => {
    const diff = diffSchemas(current, next);
    expect(diff.added.map((a) => a.key)).toEqual(['captured_at']);
    expect(diff.removed.map((r) => r.key)).toEqual(['legacy_id']);
    expect(diff.changed.map((c) => [c.key, c.from.type, c.to.type])).toEqual([
      ['city', 'string', 'datetime'],
      ['emb', 'embedding', 'embedding'],
    ]);
    expect(diff.unchanged).toEqual(['weather']);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('renders one line per key', () => {
    expect(formatSchemaDiff(diffSchemas(current, next))).toBe(
      [
        '+ captured_at: datetime',
        '- legacy_id: number',
        '~ city: string -> datetime',
        '~ emb: embedding(8) -> embedding(16)',
        '  1 key unchanged',
      ].join('\n'),
    );
  });

  it('no changes', () => {
    const diff = diffSchemas(current, current);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(formatSchemaDiff(diff)).toBe('  no changes (4 keys)');
  });

  it('a pulled typed schema equals the same schema written by hand', () => {
    const pulled = fromTypedWire({ city: { ty: 'varchar', max_length: 8192 }, w: { ty: 'enum', values: ['a', 'b'] } });
    const file = parseSchemaDocument('{"city":"string","w":"enum(b,a)"}', 's.json');
    expect(isEmptyDiff(diffSchemas(pulled, file))).toBe(true);
  });

  it('options that differ without changing the description are still shown', () => {
    const a = fromTypedWire({ t: { ty: 'tombstone', deleted_ty: null } });
    const b = fromTypedWire({ t: { ty: 'tombstone', deleted_ty: { ty: 'number' } } });
    expect(formatSchemaDiff(diffSchemas(a, b))).toBe('~ t: tombstone (options differ)');
  });
});
