import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchemaFile } from '../../src/schema/load-schema-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'encord-meta-schema-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSchemaFile', () => {
  it('reads JSON with a BOM and YAML', async () => {
    await writeFile(join(dir, 'a.json'), '\uFEFF{"city":"string"}');
    await writeFile(join(dir, 'b.yml'), 'city: string\nweather: enum(sunny, rainy)\n');
    expect([...(await loadSchemaFile(join(dir, 'a.json'))).fields.keys()]).toEqual(['city']);
    expect([...(await loadSchemaFile(join(dir, 'b.yml'))).fields.keys()]).toEqual(['city', 'weather']);
  });

  it('a missing file is SCHEMA_FILE_UNREADABLE', async () => {
    const path = join(dir, 'missing.json');
    await expect(loadSchemaFile(path)).rejects.toMatchObject({
      code: 'SCHEMA_FILE_UNREADABLE',
      message: `Cannot read schema file ${path}: no such file`,
    });
  });

  it('errors name the path as given', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"weather":{"type":"enum","values":[]}}');
    await expect(loadSchemaFile(path)).rejects.toMatchObject({
      code: 'SCHEMA_INVALID',
      message: `${path}: key "weather": enum needs 1 to 256 values, got 0`,
    });
  });
});
