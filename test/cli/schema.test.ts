import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { loadSchemaFile, parseSchemaDocument } from '../../src/schema/index.js';
import {
  SchemaCheckOutput,
  SchemaInferOutput,
  SchemaPullOutput,
  SchemaPushOutput,
  SchemaVerifyOutput,
} from '../../src/cli/json-outputs.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { SAMPLES, cli, demoEmulator, lastJson, tempDir, writeRequests } from './helpers.js';

let emulator: Emulator;
let url: string;
const SCHEMA = join(SAMPLES, 'schema.json');
const GUIDE = join(SAMPLES, 'encord-guide-schema.json');
const CSV = join(SAMPLES, 'metadata.csv');
const PARQUET = join(SAMPLES, 'metadata.parquet');

beforeAll(async () => {
  emulator = await demoEmulator();
  url = emulator.url;
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.state.setTypedSchema(null);
  emulator.state.setSimpleSchema(null);
});

const run = (argv: string[], extra: { prompt?: (q: string) => Promise<string> } = {}) => cli(argv, { url, ...extra });

describe('schema push', () => {
  it('without a terminal and without --yes: shows the diff, refuses with exit 2, pushes nothing', async () => {
    const before = writeRequests(emulator);
    const r = await run(['schema', 'push', SCHEMA]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.out).toContain('+ weather: enum(');
    expect(r.out).toContain('+ embedding: embedding(8)');
    expect(r.err).toContain('[USAGE_CONFIRM]');
    expect(r.err).toContain('--yes');
    expect(writeRequests(emulator)).toBe(before);
    expect(emulator.state.typedSchema()).toBeNull();
  });

  it('asks on a terminal: yes pushes, anything else does not', async () => {
    const questions: string[] = [];
    const no = await run(['schema', 'push', SCHEMA], { prompt: async (q) => (questions.push(q), 'n') });
    expect(no.code).toBe(EXIT.USAGE);
    expect(no.out).toContain('Not pushed.');
    expect(emulator.state.typedSchema()).toBeNull();
    const yes = await run(['schema', 'push', SCHEMA], { prompt: async (q) => (questions.push(q), 'yes') });
    expect(yes.code).toBe(EXIT.OK);
    expect(yes.out).toContain('Pushed: the organisation schema now has 6 keys');
    expect(questions[0]).toMatch(/Replace the organisation metadata schema/);
    const wire = emulator.state.typedSchema()!;
    expect(Object.keys(wire)).toEqual(['captured_at', 'city', 'dark', 'weather', 'gps', 'embedding']);
    expect(wire['weather']).toEqual({ ty: 'enum', values: ['cloudy', 'fog', 'rain', 'snow', 'sunny'] });
    expect(wire['embedding']).toMatchObject({ ty: 'embedding', size: 8 });
    expect(wire['city']).toEqual({ ty: 'varchar', max_length: 8192 });
  });

  it('--yes pushes for scripts; pushing the same file again changes nothing; --json matches its schema', async () => {
    const first = await run(['--json', 'schema', 'push', SCHEMA, '--yes']);
    expect(first.code).toBe(0);
    const a = SchemaPushOutput.parse(lastJson(first.out));
    expect(a).toMatchObject({ outcome: 'pushed', pushed: true, previousForm: 'none' });
    expect(a.diff.added.map((x) => x.key)).toEqual(['captured_at', 'city', 'dark', 'weather', 'gps', 'embedding']);
    const before = writeRequests(emulator);
    const again = await run(['schema', 'push', SCHEMA, '--json']);
    expect(again.code).toBe(0);
    expect(SchemaPushOutput.parse(lastJson(again.out))).toMatchObject({ outcome: 'unchanged', pushed: false });
    expect(writeRequests(emulator)).toBe(before);
  });

  it('a description in the schema file is not sent (Encord has no place for it): push says so, naming the key, and still pushes', async () => {
    const dir = tempDir();
    const file = join(dir, 'described.yaml');
    writeFileSync(file, 'weather:\n  type: enum\n  values: [sunny, rain]\n  description: the sky at capture time\ncity: {type: string, description: where}\nspeed: number\n');
    const dry = await run(['schema', 'push', file, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.err).toMatch(/warning: .*description.* not sent.*"weather", "city"|warning: .*"weather", "city".*description/s);
    const pushed = await run(['schema', 'push', file, '--yes', '--json']);
    expect(pushed.code, pushed.err).toBe(0);
    expect(pushed.err).toContain('"weather"');
    expect(emulator.state.typedSchema()).toEqual({ weather: { ty: 'enum', values: ['rain', 'sunny'] }, city: { ty: 'varchar', max_length: 8192 }, speed: { ty: 'number', format: 'F64' } });
    // Pushing the same file again sends nothing new: nothing to warn about.
    const again = await run(['schema', 'push', file, '--yes']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).not.toContain('description');
  });

  it('never drops an existing key silently: removal needs --allow-removals (or --remove)', async () => {
    expect((await run(['schema', 'push', SCHEMA, '--yes'])).code).toBe(0);
    const blocked = await run(['schema', 'push', GUIDE, '--yes']);
    expect(blocked.code).toBe(EXIT.USAGE);
    expect(blocked.err).toContain('[USAGE_REMOVALS_NOT_ALLOWED]');
    expect(blocked.err).toMatch(/"weather", "gps", "embedding"/);
    expect(Object.keys(emulator.state.typedSchema()!)).toHaveLength(6);

    const dry = await run(['schema', 'push', GUIDE, '--allow-removals', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('- weather: enum(');
    expect(dry.out).toContain('~ city: string -> datetime');
    expect(Object.keys(emulator.state.typedSchema()!)).toHaveLength(6);

    const allowed = await run(['schema', 'push', GUIDE, '--allow-removals', '--yes']);
    expect(allowed.code).toBe(0);
    expect(Object.keys(emulator.state.typedSchema()!)).toEqual(['captured_at', 'city', 'dark']);

    const removed = await run(['schema', 'push', '--remove', 'dark', '--yes']);
    expect(removed.code).toBe(0);
    expect(Object.keys(emulator.state.typedSchema()!)).toEqual(['captured_at', 'city']);
  });

  it('--set edits the current schema and keeps every other key', async () => {
    expect((await run(['schema', 'push', SCHEMA, '--yes'])).code).toBe(0);
    const r = await run(['schema', 'push', '--set', 'city=datetime', '--set', 'speed=number', '--yes']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('~ city: string -> datetime');
    expect(r.out).toContain('+ speed: number');
    const wire = emulator.state.typedSchema()!;
    expect(Object.keys(wire)).toEqual(['captured_at', 'city', 'dark', 'weather', 'gps', 'embedding', 'speed']);
    expect(wire['city']).toEqual({ ty: 'datetime', timezone: 'UTC' });
    const bad = await run(['schema', 'push', '--set', 'speed=nubmer', '--yes']);
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.err).toContain('did you mean "number"');
  });

  it('keeps what it does not model: deleted keys stay deleted, an embedding keeps its api settings', async () => {
    const api = { url: 'https://embed.example/v1', path: null, service_integration: null, client_only: false, embed_b64_image: null, embed_text: null };
    emulator.state.setTypedSchema({
      old_id: { ty: 'tombstone', deleted_ty: { ty: 'number', format: 'F64' } },
      embedding: { ty: 'embedding', size: 8, api },
    } as never);
    const r = await run(['schema', 'push', SCHEMA, '--yes']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('kept deleted: old_id');
    const wire = emulator.state.typedSchema()! as Record<string, unknown>;
    expect(wire['old_id']).toEqual({ ty: 'tombstone', deleted_ty: { ty: 'number', format: 'F64' } });
    expect(wire['embedding']).toEqual({ ty: 'embedding', size: 8, api });
  });

  it('a bad schema file is a usage error naming the file and the key; nothing is sent', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ weather: { type: 'enum', values: [] }, ok: 'string' }));
    const before = writeRequests(emulator);
    const r = await run(['schema', 'push', file, '--yes']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/SCHEMA_INVALID.*bad\.json: key "weather"/s);
    expect(writeRequests(emulator)).toBe(before);
  });
});

describe('schema pull and verify', () => {
  it('pull prints a document that pushes back unchanged; --out writes YAML; --json matches its schema', async () => {
    expect((await run(['schema', 'push', SCHEMA, '--yes'])).code).toBe(0);
    const pulled = await run(['schema', 'pull']);
    expect(pulled.code).toBe(0);
    const doc = JSON.parse(pulled.out) as Record<string, unknown>;
    expect(doc['weather']).toEqual({ type: 'enum', values: ['cloudy', 'fog', 'rain', 'snow', 'sunny'] });
    expect(doc['embedding']).toBe('embedding(8)');
    const dir = tempDir();
    const yaml = join(dir, 'schema.yaml');
    const toFile = await run(['schema', 'pull', '--out', yaml]);
    expect(toFile.code).toBe(0);
    expect(readFileSync(yaml, 'utf8')).toMatch(/^captured_at: datetime$/m);
    expect([...(await loadSchemaFile(yaml)).fields.keys()]).toEqual(Object.keys(doc));
    const back = await run(['schema', 'push', yaml, '--yes']);
    expect(back.out).toContain('Nothing to push');
    const json = SchemaPullOutput.parse(lastJson((await run(['--json', 'schema', 'pull'])).out));
    expect(json).toMatchObject({ form: 'typed', keys: 6, out: null });
  });

  it('pull on an organisation with no schema says so', async () => {
    const r = await run(['schema', 'pull']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('{}');
    expect(r.err).toContain('no metadata schema yet');
  });

  it('verify: exit 0 when equal (order-insensitive), exit 3 with the diff otherwise', async () => {
    expect((await run(['schema', 'push', SCHEMA, '--yes'])).code).toBe(0);
    const dir = tempDir();
    const reordered = join(dir, 'reordered.yaml');
    writeFileSync(reordered, 'embedding: embedding(8)\nweather: enum(sunny,snow,rain,fog,cloudy)\ngps: geospatial\ndark: boolean\ncity: string\ncaptured_at: datetime\n');
    const same = await run(['schema', 'verify', reordered]);
    expect(same.code).toBe(0);
    expect(same.out).toContain('matches the organisation schema');
    const differs = await run(['schema', 'verify', GUIDE]);
    expect(differs.code).toBe(EXIT.ROWS_FAILED);
    expect(differs.out).toContain('~ city: string -> datetime');
    expect(differs.out).toContain('- weather');
    // The suggested command works as given: the fix removes keys, so it carries --allow-removals.
    expect(differs.out).toContain(`encord-meta schema push ${GUIDE} --allow-removals   # removes `);
    const json = SchemaVerifyOutput.parse(lastJson((await run(['schema', 'verify', GUIDE, '--json'])).out));
    expect(json.equal).toBe(false);
    expect(json.diff.changed).toEqual([{ key: 'city', from: 'string', to: 'datetime' }]);
  });
});

describe('schema check', () => {
  it('the samples pass against the sample schema (CSV and Parquet)', async () => {
    expect((await run(['schema', 'push', SCHEMA, '--yes'])).code).toBe(0);
    const csv = await run(['schema', 'check', CSV]);
    expect(csv.code).toBe(0);
    expect(csv.out).toContain('300 rows');
    expect(csv.out).toContain('identify data units (not checked): index');
    expect(csv.out).toContain('OK: every column has a key');
    const parquet = await run(['schema', 'check', PARQUET]);
    expect(parquet.code).toBe(0);
    expect(parquet.out).toContain('gps: geospatial: 300 ok, 0 failed');
  });

  it("Encord's guide example (city declared datetime) is caught, with samples, counts and the fixing command", async () => {
    const push = await run(['schema', 'push', GUIDE, '--yes']);
    expect(push.code).toBe(0);
    const r = await run(['schema', 'check', CSV]);
    expect(r.code).toBe(EXIT.ROWS_FAILED);
    expect(r.out).toContain('city: datetime: 0 ok, 300 failed, 0 empty');
    expect(r.out).toMatch(/line 2: Invalid datetime: expected .*got "Lisbon"/);
    expect(r.out).toContain('city: 300 of 300 values do not fit datetime');
    expect(r.out).toContain('no key in the schema: weather, gps, embedding');
    expect(r.out).toContain('captured_at: datetime: 300 ok');
    expect(r.out).toContain('city: enum(Amsterdam,Berlin,Lisbon,London,Madrid,Oslo,Paris,Zurich) (or string, if other values will come)');
    expect(r.out).toContain(
      "encord-meta schema push --set 'city=enum(Amsterdam,Berlin,Lisbon,London,Madrid,Oslo,Paris,Zurich)' --set 'weather=enum(cloudy,fog,rain,snow,sunny)' --set gps=geospatial --set 'embedding=embedding(8)'",
    );
    const json = SchemaCheckOutput.parse(lastJson((await run(['--json', 'schema', 'check', CSV])).out));
    expect(json.ok).toBe(false);
    expect(json.mismatched).toEqual(['city']);
    expect(json.missingKeys).toEqual(['weather', 'gps', 'embedding']);
    const city = json.columns.find((c) => c.column === 'city')!;
    expect(city).toMatchObject({ type: 'datetime', ok: 0, failed: 300 });
    expect(city.samples).toHaveLength(5);
    expect(city.samples[0]).toMatchObject({ line: 2, value: '"Lisbon"', code: 'INVALID_DATETIME' });
  });

  it('reports enum values outside the enum and wrong embedding sizes', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'index,weather,embedding\n0,sunny,"[1,2,3,4,5,6,7,8]"\n1,drizzle,"[1,2]"\n2,drizzle,\n');
    const r = await cli(['schema', 'check', file, '--schema', SCHEMA], { url, env: { HOME: dir } });
    expect(r.code).toBe(EXIT.ROWS_FAILED);
    expect(r.out).toContain('values not in the enum: "drizzle" (2)');
    expect(r.out).toContain('embedding sizes seen: 8 (1), 2 (1)');
  });

  it('--schema FILE needs no credentials and no connection', async () => {
    const r = await cli(['schema', 'check', CSV, '--schema', SCHEMA], { url, env: { HOME: tempDir() } });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Checked against schema file');
  });
});

describe('schema infer', () => {
  it('proposes a schema with evidence; its output is a valid push input', async () => {
    const r = await run(['schema', 'infer', CSV]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/captured_at\s+datetime\s+all 300 non-empty values parse as ISO dates/);
    expect(r.err).toMatch(/index\s+\(not a key\)/);
    const doc = JSON.parse(r.out) as Record<string, unknown>;
    expect(doc).toMatchObject({ captured_at: 'datetime', dark: 'boolean', gps: 'geospatial', embedding: 'embedding(8)' });
    expect(doc).not.toHaveProperty('index');
    const dir = tempDir();
    const file = join(dir, 'inferred.json');
    writeFileSync(file, r.out);
    expect(parseSchemaDocument(r.out, 'inferred.json').fields.size).toBe(6);
    const push = await run(['schema', 'push', file, '--yes']);
    expect(push.code).toBe(0);
    const check = await run(['schema', 'check', CSV]);
    expect(check.code).toBe(0);
  });

  it('reads Parquet too; --json matches its schema; --out writes the file', async () => {
    const dir = tempDir();
    const out = join(dir, 'schema.yaml');
    const r = await run(['--json', 'schema', 'infer', PARQUET, '--out', out]);
    expect(r.code).toBe(0);
    const json = SchemaInferOutput.parse(lastJson(r.out));
    expect(json.idColumns).toEqual(['title']);
    expect(json.columns.find((c) => c.column === 'embedding')?.type).toBe('embedding(8)');
    expect((await loadSchemaFile(out)).fields.get('dark')).toEqual({ type: 'boolean', key: 'dark' });
  });
});
