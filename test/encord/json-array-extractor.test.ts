import { describe, expect, it } from 'vitest';
import { JsonArrayExtractor } from '../../src/encord/json-array-extractor.js';

function run(doc: string, path: string[], chunkSize: number): { items: unknown[]; skeleton: unknown } {
  const items: unknown[] = [];
  const x = new JsonArrayExtractor(path, (t) => items.push(JSON.parse(t)));
  for (let i = 0; i < doc.length; i += chunkSize) x.write(doc.slice(i, i + chunkSize));
  return { items, skeleton: JSON.parse(x.end()) };
}

const envelope = {
  status: 200,
  response: {
    dataset_hash: 'h',
    title: 'with "quotes" and [brackets] and {braces}, commas',
    other: { data_rows: [{ not: 'this one' }] },
    data_rows: [
      { data_hash: 'a', client_metadata: { k: [1, 2, { x: '}]"\\' }], s: 'é 東京 \u2028' } },
      { data_hash: 'b', client_metadata: null },
      { data_hash: 'c', images_data: [[1], [2, [3]]] },
    ],
    backing_folder_uuid: null,
  },
};

describe('JsonArrayExtractor', () => {
  for (const size of [1, 2, 3, 7, 64, 100_000]) {
    it(`splits the rows and keeps the skeleton, in chunks of ${size}`, () => {
      for (const text of [JSON.stringify(envelope), JSON.stringify(envelope, null, 2)]) {
        const { items, skeleton } = run(text, ['response', 'data_rows'], size);
        expect(items).toEqual(envelope.response.data_rows);
        expect(skeleton).toEqual({ ...envelope, response: { ...envelope.response, data_rows: [] } });
      }
    });
  }

  it('handles scalar elements and an empty array', () => {
    expect(run('{"a": [1, "x,]", true, null, -2.5e3]}', ['a'], 2).items).toEqual([1, 'x,]', true, null, -2500]);
    expect(run('{"a": []}', ['a'], 1)).toEqual({ items: [], skeleton: { a: [] } });
  });

  it('leaves documents without the path whole', () => {
    const doc = '{"status": 404, "response": ["RESOURCE_NOT_FOUND_ERROR"], "payload": "Dataset x not found"}';
    expect(run(doc, ['response', 'data_rows'], 5)).toEqual({ items: [], skeleton: JSON.parse(doc) });
  });

  it('throws on a truncated document', () => {
    const x = new JsonArrayExtractor(['a'], () => undefined);
    x.write('{"a": [{"b": 1}, {"c"');
    expect(() => x.end()).toThrow(/ended early/);
  });
});

describe('v1 headers', () => {
  it('ask for gzip like the SDK, except on loopback', async () => {
    const { v1Headers } = await import('../../src/encord/v1.js');
    const auth = { kind: 'bearer', identity: 'a bearer token', v1Authorization: () => 'Bearer t', v2Headers: () => ({}) } as never;
    const call = { resourceType: 'dataset', resourceId: 'd', queryType: 'dataset', queryMethod: 'GET', uid: null, payload: null } as const;
    expect(v1Headers(auth, call, Buffer.from('{}'), 'ua', 'trace')['accept-encoding']).toBe('gzip');
    expect(v1Headers(auth, call, Buffer.from('{}'), 'ua', 'trace', false)['accept-encoding']).toBe('identity');
  });
});
