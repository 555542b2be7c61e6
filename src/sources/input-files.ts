/**
 * From the inputs a user names to the files read, in order: several file arguments (what a shell makes of
 * `part-*.csv`), a glob the tool expands itself (`'exports/part-*.csv'`, quoted: cron lines, Windows
 * shells), or a directory of parts, hive-style `key=value/` folders included.
 *
 * - A file argument is read as given, even when its name holds `*` or `?` (a file that exists wins).
 * - A glob: `*` and `?` within one path segment (never a leading `.`), `[abc]` / `[!abc]` classes, `**`
 *   for any number of folders; `\` escapes the next character. Only files match. No match: refused
 *   (`SOURCE_NOT_FOUND`), never an empty run.
 * - A directory: every CSV or Parquet file below it (by extension; a file without extension when it starts
 *   with Parquet's `PAR1`, as Hive writes `000000_0`), skipping names that start with `.` or `_` (Spark's
 *   `_SUCCESS`, `_temporary/`, `.crc` files) — DuckDB's and Hive's rule. No data file: refused.
 * - Hive partitions: a folder `key=value` below a directory argument (or below the literal start of a glob)
 *   makes a column `key` holding `value` in every row of the files under it, like DuckDB's
 *   `hive_partitioning`. Values are text (`%XX` escapes decoded, as Hive/Spark write `:` `/` `=` `%`);
 *   `__HIVE_DEFAULT_PARTITION__` (Hive's NULL) is an empty cell.
 *
 * Order is deterministic: every file found, whatever argument found it, sorted by path in natural order
 * (`part-2` before `part-10`; `naturalCompare`); a file named twice is read once.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { MetaError } from '../errors.js';
import { formatFromPath, looksLikeParquet } from './sniff.js';

/** A hive partition column of a file: `key=value` in a folder name above it. */
export interface Partition {
  readonly column: string;
  /** `null` for Hive's `__HIVE_DEFAULT_PARTITION__`. */
  readonly value: string | null;
}

export interface InputFile {
  readonly path: string;
  /** Partition columns from `key=value` folders, outermost first; empty for a file named directly. */
  readonly partitions: readonly Partition[];
}

/** What `expandInputs` found. */
export interface ExpandedInputs {
  readonly files: readonly InputFile[];
  /**
   * The inputs name several files as one logical input (several arguments, a glob, a directory), even when
   * only one file matched: the failure report then has a `_file` column. False for one plain file argument.
   */
  readonly several: boolean;
}

const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

/** Whether an argument is a pattern for the tool to expand (it holds `*`, `?` or `[`). */
export function isGlob(arg: string): boolean {
  return /[*?[]/.test(arg);
}

/** Expand the inputs (see the module comment). A missing plain path is passed on, for the reader's own error. */
export async function expandInputs(args: readonly string[]): Promise<ExpandedInputs> {
  if (args.length === 0) throw new MetaError('USAGE', 'Expected at least one input file, got none');
  const found: InputFile[] = [];
  let several = args.length > 1;
  for (const arg of args) {
    const kind = await kindOf(arg);
    if (kind === 'file' || (kind === 'missing' && !isGlob(arg))) {
      found.push({ path: arg, partitions: [] });
    } else if (kind === 'dir') {
      several = true;
      const files = await walkDirectory(arg);
      if (files.length === 0) throw new MetaError('SOURCE_NOT_FOUND', `No data file under ${arg}: expected CSV (.csv, .tsv, .txt) or Parquet (.parquet, .parq, .pq) files in it or in its folders`);
      found.push(...files);
    } else {
      several = true;
      const files = await expandGlob(arg);
      if (files.length === 0) throw new MetaError('SOURCE_NOT_FOUND', `No file matches ${arg}: check the pattern (quote it so the shell leaves it to encord-meta)`);
      found.push(...files);
    }
  }
  const seen = new Set<string>();
  const files = found
    .sort((a, b) => naturalCompare(a.path, b.path))
    .filter((f) => {
      const key = resolve(f.path);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return { files, several };
}

async function kindOf(path: string): Promise<'file' | 'dir' | 'missing' | 'other'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/** Every data file below `dir` (not following names starting with `.` or `_`), with hive partitions. */
async function walkDirectory(dir: string): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const visit = async (folder: string, partitions: readonly Partition[]): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (err) {
      throw new MetaError('SOURCE_NOT_FOUND', `Cannot read the folder ${folder}: ${(err as Error).message}`, { cause: err });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await visit(path, withPartition(partitions, entry.name));
      else if (entry.isFile() && (await isDataFile(path))) out.push({ path, partitions });
    }
  };
  await visit(dir, []);
  return out;
}

async function isDataFile(path: string): Promise<boolean> {
  if (formatFromPath(path) !== undefined) return true;
  if (extname(path) !== '') return false;
  try {
    return await looksLikeParquet(path);
  } catch {
    return false;
  }
}

/** `partitions` plus the one a folder named `key=value` adds. */
function withPartition(partitions: readonly Partition[], folder: string): readonly Partition[] {
  const eq = folder.indexOf('=');
  if (eq <= 0) return partitions;
  const column = decodeHive(folder.slice(0, eq));
  const raw = folder.slice(eq + 1);
  return [...partitions, { column, value: raw === HIVE_NULL ? null : decodeHive(raw) }];
}

/** Hive/Spark escape `%XX` in partition folder names; a malformed escape is kept as written. */
function decodeHive(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The files matching a glob (see the module comment), with hive partitions below its literal start. */
async function expandGlob(pattern: string): Promise<InputFile[]> {
  // `\` separates folders on Windows and escapes the next character elsewhere (`[*]` escapes everywhere).
  const separators = process.platform === 'win32' ? /[/\\]/ : /\//;
  const segments = pattern.split(separators).filter((s, i) => s !== '' || i === 0);
  let literal = 0;
  while (literal < segments.length - 1 && !isGlob(segments[literal]!)) literal++;
  const base = literal === 0 ? (pattern.startsWith('/') ? '/' : '.') : segments.slice(0, literal).join('/') || '/';
  const rest = segments.slice(literal).map((s) => (s === '**' ? '**' : segmentRegex(s)));
  const out: InputFile[] = [];
  const visit = async (folder: string, i: number, partitions: readonly Partition[]): Promise<void> => {
    const part = rest[i]!;
    const last = i === rest.length - 1;
    if (part === '**') {
      if (!last) await visit(folder, i + 1, partitions); // zero folders
      for (const entry of await listFolder(folder)) {
        if (entry.name.startsWith('.')) continue;
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await visit(path, i, withPartition(partitions, entry.name));
        else if (last && entry.isFile()) out.push({ path, partitions });
      }
      return;
    }
    for (const entry of await listFolder(folder)) {
      if (!part.test(entry.name)) continue;
      const path = join(folder, entry.name);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await kindOf(path)) === 'dir');
      if (last) {
        if (!isDir && (await kindOf(path)) === 'file') out.push({ path, partitions });
      } else if (isDir) await visit(path, i + 1, withPartition(partitions, entry.name));
    }
  };
  if ((await kindOf(base)) !== 'dir') return [];
  await visit(base, 0, []);
  return out;
}

async function listFolder(folder: string) {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A regular expression for one glob segment: `*`, `?`, `[...]`, `\x`; no leading `.` matched by a wildcard. */
function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\' && i + 1 < segment.length) re += segment[++i]!.replace(/[.*+?^${}()|[\]\\]/g, (x) => `\\${x}`);
    else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (x) => `\\${x}`)}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, (x) => `\\${x}`);
  }
  const leadingWildcard = /^[*?[]/.test(segment);
  return new RegExp(`^${leadingWildcard ? '(?!\\.)' : ''}${re}$`, 'u');
}

/**
 * Natural order of paths: runs of digits compare as numbers (`part-2` < `part-10`, `p9` < `p010`), other
 * text by UTF-16 code unit (locale-free, so the order is the same on every machine); ties (`p01` vs `p1`)
 * go to plain code-unit order.
 */
export function naturalCompare(a: string, b: string): number {
  const ca = a.match(/\d+|\D+/g) ?? [];
  const cb = b.match(/\d+|\D+/g) ?? [];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      const tx = x.replace(/^0+(?=\d)/, '');
      const ty = y.replace(/^0+(?=\d)/, '');
      if (tx.length !== ty.length) return tx.length - ty.length;
      if (tx !== ty) return tx < ty ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  if (ca.length !== cb.length) return ca.length - cb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
