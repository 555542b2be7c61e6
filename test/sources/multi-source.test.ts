/**
 * Several files as one input (issue 9, "Several files in one run"): expansion (globs, directories, hive
 * folders), natural order, per-part reading options, the same columns in every part, file and line on
 * every row and bad record.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { expandInputs, naturalCompare } from '../../src/sources/input-files.js';
import { MultiSource, openInputs } from '../../src/sources/multi-source.js';
import { CsvSource } from '../../src/sources/csv/csv-source.js';
import { bads, collect, rejectCode, rows, tempDir, writeTemp } from './helpers.js';

const dir = tempDir();
let db: DuckDBInstance;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '1' });
});
afterAll(() => db.closeSync());

async function parquet(path: string, select: string): Promise<string> {
  mkdirSync(join(path, '..'), { recursive: true });
  const con = await db.connect();
  try {
    await con.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  } finally {
    con.closeSync();
  }
  return path;
}

function sub(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

describe('order of the parts', () => {
  it('is natural path order: part-2 before part-10, digits by value, the rest by code unit', () => {
    const names = ['part-10.csv', 'part-2.csv', 'part-1.csv', 'Part-3.csv', 'part-02.csv', 'a/part-9.csv', 'part-1a.csv'];
    expect([...names].sort(naturalCompare)).toEqual(['Part-3.csv', 'a/part-9.csv', 'part-1.csv', 'part-1a.csv', 'part-02.csv', 'part-2.csv', 'part-10.csv']);
  });

  it('several arguments (what the shell makes of part-*.csv) are read in natural order, a file named twice once', async () => {
    const d = sub('args');
    const files = ['part-10.csv', 'part-2.csv', 'part-1.csv'].map((n) => writeTemp(d, n, `id,v\n${n},1\n`));
    const expanded = await expandInputs([files[0]!, files[1]!, files[2]!, files[1]!]);
    expect(expanded.several).toBe(true);
    expect(expanded.files.map((f) => f.path)).toEqual([join(d, 'part-1.csv'), join(d, 'part-2.csv'), join(d, 'part-10.csv')]);
  });
});

describe('a quoted glob, expanded by the tool', () => {
  it('matches files in one folder, never hidden ones, in natural order', async () => {
    const d = sub('glob');
    for (const n of ['part-1.csv', 'part-2.csv', 'part-10.csv', '.part-3.csv', 'other.csv']) writeTemp(d, n, 'id\n1\n');
    const expanded = await expandInputs([join(d, 'part-*.csv')]);
    expect(expanded.files.map((f) => f.path)).toEqual([join(d, 'part-1.csv'), join(d, 'part-2.csv'), join(d, 'part-10.csv')]);
    expect((await expandInputs([join(d, 'part-?.csv')])).files).toHaveLength(2);
    expect((await expandInputs([join(d, 'part-[12].csv')])).files.map((f) => f.path)).toEqual([join(d, 'part-1.csv'), join(d, 'part-2.csv')]);
    expect((await expandInputs([join(d, '*.csv')])).files).toHaveLength(4);
  });

  it('a glob that matches one file is still "several files" (the report gets _file); a plain file argument is not', async () => {
    const d = sub('one');
    const file = writeTemp(d, 'part-1.csv', 'id\n1\n');
    expect((await expandInputs([join(d, 'part-*.csv')])).several).toBe(true);
    expect((await expandInputs([file])).several).toBe(false);
    expect(await openInputs(file)).toBeInstanceOf(CsvSource);
  });

  it('matching nothing is refused, never an empty run', async () => {
    const message = await rejectCode(expandInputs([join(dir, 'nothing-*.csv')]), 'SOURCE_NOT_FOUND');
    expect(message).toContain('nothing-*.csv');
  });

  it('** crosses folders', async () => {
    const d = sub('deep');
    writeTemp(sub('deep/a/b'), 'x.csv', 'id\n1\n');
    writeTemp(d, 'y.csv', 'id\n1\n');
    expect((await expandInputs([join(d, '**', '*.csv')])).files.map((f) => f.path)).toEqual([join(d, 'a/b/x.csv'), join(d, 'y.csv')]);
  });
});

describe('MultiSource', () => {
  it('reads the parts one after the other: each row keeps its file and its line there; index counts across parts', async () => {
    const d = sub('rows');
    writeTemp(d, 'part-1.csv', 'id,v\na,1\nb,2\n');
    writeTemp(d, 'part-2.csv', 'v,id\n3,c\n'); // same columns, another order
    const source = await openInputs([join(d, 'part-*.csv')]);
    expect(source.columns).toEqual(['id', 'v']);
    expect(source.files).toEqual([join(d, 'part-1.csv'), join(d, 'part-2.csv')]);
    const got = rows(await collect(source));
    expect(got).toEqual([
      { index: 0, line: 2, values: { id: 'a', v: '1' }, file: join(d, 'part-1.csv') },
      { index: 1, line: 3, values: { id: 'b', v: '2' }, file: join(d, 'part-1.csv') },
      { index: 2, line: 2, values: { id: 'c', v: '3' }, file: join(d, 'part-2.csv') },
    ]);
    expect(Object.keys(got[2]!.values)).toEqual(['id', 'v']); // the source's column order
  });

  it('decides delimiter, sep= line, byte-order mark and encoding per part', async () => {
    const d = sub('per-part');
    writeTemp(d, 'p1.csv', 'id,name\n1,Zoë\n');
    writeTemp(d, 'p2.csv', 'sep=;\nid;name\n2;Ærø\n');
    writeTemp(d, 'p3.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id\tname\r\n3\tÅsa\r\n', 'utf16le')]));
    writeTemp(d, 'p4.csv', Buffer.from('\ufeffid,name\n4,Ünal\n', 'utf8'));
    const source = await openInputs([d]);
    const got = rows(await collect(source));
    expect(got.map((r) => [r.values, r.line, r.file])).toEqual([
      [{ id: '1', name: 'Zoë' }, 2, join(d, 'p1.csv')],
      [{ id: '2', name: 'Ærø' }, 3, join(d, 'p2.csv')],
      [{ id: '3', name: 'Åsa' }, 2, join(d, 'p3.csv')],
      [{ id: '4', name: 'Ünal' }, 2, join(d, 'p4.csv')],
    ]);
  });

  it('a bad record names its part and its line there', async () => {
    const d = sub('bad');
    writeTemp(d, 'part-1.csv', 'id,v\na,1\n');
    writeTemp(d, 'part-2.csv', 'id,v\nb,2\nc,3,extra\n');
    const items = await collect(await openInputs([join(d, 'part-1.csv'), join(d, 'part-2.csv')]));
    const [bad] = bads(items);
    expect(bad).toMatchObject({ file: join(d, 'part-2.csv'), line: 3, index: 2, code: 'CSV_RECORD_INCONSISTENT_COLUMNS' });
    expect(bad!.message).toContain(`${join(d, 'part-2.csv')} line 3`);
  });

  it('refuses, at open, a part whose columns differ, naming it and the columns', async () => {
    const d = sub('differ');
    writeTemp(d, 'part-1.csv', 'id,city,speed\na,X,1\n');
    writeTemp(d, 'part-2.csv', 'id,city,speed\nb,Y,2\n');
    writeTemp(d, 'part-3.csv', 'id,town,speed\nc,Z,3\n');
    const message = await rejectCode(openInputs([join(d, 'part-*.csv')]), 'SOURCE_COLUMNS_DIFFER');
    expect(message).toContain(join(d, 'part-3.csv'));
    expect(message).toMatch(/lacks "city".*has "town"/);
  });

  it('refuses CSV and Parquet parts in one input', async () => {
    const d = sub('mixed');
    writeTemp(d, 'a.csv', 'id\n1\n');
    await parquet(join(d, 'b.parquet'), "SELECT '2' AS id");
    const message = await rejectCode(openInputs([d]), 'SOURCE_MIXED_FORMATS');
    expect(message).toContain(join(d, 'a.csv'));
    expect(message).toContain(join(d, 'b.parquet'));
  });

  it('reads a hive-style directory of Parquet parts: partition folders become columns of each row', async () => {
    const d = sub('hive');
    await parquet(join(d, 'country=FR', 'day=2026-11-02', 'part-0.parquet'), "SELECT * FROM (VALUES ('a', 1.5), ('b', 2.5)) t(id, speed)");
    await parquet(join(d, 'country=FR', 'day=2026-11-10', 'part-0.parquet'), "SELECT 'c' AS id, 3.5 AS speed");
    await parquet(join(d, 'country=New%20Zealand', 'day=__HIVE_DEFAULT_PARTITION__', 'part-0.parquet'), "SELECT 'd' AS id, 4.5 AS speed");
    writeTemp(d, '_SUCCESS', '');
    writeTemp(sub('hive/country=FR'), '.part-0.parquet.crc', 'x');
    const source = await openInputs([d]);
    expect(source.columns).toEqual(['id', 'speed', 'country', 'day']);
    const got = rows(await collect(source));
    expect(got.map((r) => ({ ...r.values, line: r.line }))).toEqual([
      { id: 'a', speed: '1.5', country: 'FR', day: '2026-11-02', line: 2 },
      { id: 'b', speed: '2.5', country: 'FR', day: '2026-11-02', line: 3 },
      { id: 'c', speed: '3.5', country: 'FR', day: '2026-11-10', line: 2 },
      { id: 'd', speed: '4.5', country: 'New Zealand', day: null, line: 2 },
    ]);
    expect(source.canonicalDecimalColumns).toEqual(new Set(['speed'])); // DuckDB writes 1.5 as DECIMAL
  });

  it('refuses a partition folder that names a column the file already has', async () => {
    const d = sub('hive-clash');
    await parquet(join(d, 'id=x', 'p.parquet'), "SELECT 'a' AS id");
    await rejectCode(openInputs([d]), 'SOURCE_DUPLICATE_COLUMN');
  });

  it('is a TabularSource even for one part (a directory of one file)', async () => {
    const d = sub('single-dir');
    writeTemp(d, 'only.csv', 'id\n1\n');
    const source = await openInputs([d]);
    expect(source).toBeInstanceOf(MultiSource);
    expect(rows(await collect(source))[0]).toMatchObject({ file: join(d, 'only.csv'), line: 2 });
  });
});

describe('one Parquet file inside a key=value folder', () => {
  it('has only its own columns: DuckDB no longer adds the folder as a column, cast (zip=00501 became 501)', async () => {
    const d = sub('lone');
    const file = await parquet(join(d, 'zip=00501', 'part-0.parquet'), "SELECT 'a' AS id");
    const source = await openInputs(file);
    expect(source.columns).toEqual(['id']);
    expect(rows(await collect(source)).map((r) => r.values)).toEqual([{ id: 'a' }]);
  });

  it('named through its folder, gets the partition exactly, as text', async () => {
    const d = sub('lone2');
    await parquet(join(d, 'zip=00501', 'part-0.parquet'), "SELECT 'a' AS id");
    const source = await openInputs(d);
    expect(rows(await collect(source)).map((r) => r.values)).toEqual([{ id: 'a', zip: '00501' }]);
  });
});

describe('hive folders of CSV parts', () => {
  it('add their columns as text, exactly as written in the folder name', async () => {
    const d = sub('hive-csv');
    writeTemp(sub('hive-csv/batch=007'), 'part-1.csv', 'id\na\n');
    writeTemp(sub('hive-csv/batch=__HIVE_DEFAULT_PARTITION__'), 'part-1.csv', 'id\nb\n');
    const got = rows(await collect(await openInputs([d])));
    expect(got.map((r) => r.values)).toEqual([
      { id: 'a', batch: '007' },
      { id: 'b', batch: '' },
    ]);
  });

  it('reports of several runs read together are each un-escaped, and keep their _file cells', async () => {
    const d = sub('reports');
    const header = 'id,city,_file,_line,_error_code,_error_column,_error,_raw\n';
    writeTemp(d, 'r-1.csv', `${header}1,'=x,part-1.csv,2,X,,m,\n`);
    writeTemp(d, 'r-2.csv', `${header}2,'-y,part-2.csv,3,X,,m,\n`);
    const got = rows(await collect(await openInputs([join(d, 'r-*.csv')])));
    expect(got.map((r) => [r.values.city, r.values._file, r.file])).toEqual([
      ['=x', 'part-1.csv', join(d, 'r-1.csv')],
      ['-y', 'part-2.csv', join(d, 'r-2.csv')],
    ]);
  });
});
