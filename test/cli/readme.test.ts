/** The README is part of the product: its quick start, commands and code tables must match the code. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENCORD_ERROR_CODES } from '../../src/encord/errors.js';
import { COERCION_ERROR_CODES } from '../../src/coercion/index.js';
import { MAPPING_CODES } from '../../src/mapping/key-resolver.js';
import { SCHEMA_ERROR_CODES } from '../../src/schema/index.js';
import { BAD_RECORD_CODES, SOURCE_ERROR_CODES } from '../../src/sources/source.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { exitCodeFor } from '../../src/cli/context.js';
import { ERROR_CODES, isErrorCode } from '../../src/error-codes.js';
import { MetaError } from '../../src/errors.js';
import { DATASET, ROOT, cli, demoEmulator, tempDir } from './helpers.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('starts with the two quick-start commands', () => {
    const block = /```sh\n([\s\S]*?)```/.exec(README)![1]!;
    const commands = block.split('\n').filter(Boolean).map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(commands).toEqual(['npm ci && npx encord-meta demo', 'npm test']);
  });

  it('its error-code tables are the code registry: rows, usage (exit 2), fatal (exit 1/130)', () => {
    const section = README.slice(README.indexOf('## Error codes'), README.indexOf('## FAQ'));
    const tables = section.split(/\*\*(Rows|Usage and configuration|Fatal)\*\*/);
    const listed = (title: string): string[] => {
      const body = tables[tables.indexOf(title) + 1] ?? '';
      const codes = body.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...l.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
      return [...new Set(codes)].sort();
    };
    const registry = Object.entries(ERROR_CODES) as Array<[string, { thrown?: string; row?: boolean }]>;
    const where = (test: (info: { thrown?: string; row?: boolean }) => boolean): string[] => registry.filter(([, info]) => test(info)).map(([c]) => c).sort();
    expect(listed('Rows')).toEqual(where((i) => i.row === true));
    expect(listed('Usage and configuration')).toEqual(where((i) => i.thrown === 'usage'));
    expect(listed('Fatal')).toEqual(where((i) => i.thrown === 'fatal' || i.thrown === 'interrupted'));
    for (const code of Object.values(EXIT)) expect(README).toMatch(new RegExp(`\\n\\| ${code} \\|`));
  });

  it('every layer table names only registered codes', () => {
    const layers = [ENCORD_ERROR_CODES, COERCION_ERROR_CODES, MAPPING_CODES, SCHEMA_ERROR_CODES, SOURCE_ERROR_CODES, BAD_RECORD_CODES];
    const unknown = layers.flatMap((t) => Object.keys(t)).filter((c) => !isErrorCode(c));
    expect(unknown).toEqual([]);
  });

  it('the exit code of a thrown error is the one its README table promises', () => {
    expect(exitCodeFor(new MetaError('KEY_NOT_FOUND', 'set: no unit'))).toBe(EXIT.USAGE);
    expect(exitCodeFor(new MetaError('KEY_FILE_PERMISSIONS', 'chmod 600'))).toBe(EXIT.USAGE);
    expect(exitCodeFor(new MetaError('SOURCE_READ_FAILED', 'EIO'))).toBe(EXIT.FATAL);
    expect(exitCodeFor(new MetaError('SOURCE_CORRUPT', 'not parquet'))).toBe(EXIT.USAGE);
    expect(exitCodeFor(new MetaError('AUTHORISATION', 'no access'))).toBe(EXIT.FATAL);
    expect(exitCodeFor(new MetaError('ABORTED', 'SIGINT'))).toBe(EXIT.INTERRUPTED);
    expect(exitCodeFor(new Error('a bug'))).toBe(EXIT.FATAL);
  });

  it('shows every command with an example, and every command it shows exists', async () => {
    const help = (await cli(['--help'], { url: 'http://127.0.0.1:1' })).out;
    const section = help.slice(help.indexOf('Commands:'));
    const commands = [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(['demo', 'schema', 'import', 'list', 'set', 'rollback', 'summary', 'datasets', 'folders', 'emulator']);
    for (const c of commands) expect(README, c).toMatch(new RegExp(`\\n(npx )?encord-meta (--[a-z-]+ \\S+ )*${c}\\b`));
    for (const sub of ['push', 'pull', 'verify', 'check', 'infer']) expect(README).toMatch(new RegExp(`\\nencord-meta schema ${sub}\\b`));
    for (const m of README.matchAll(/^(?:npx )?encord-meta ((?:--?[a-z-]+ (?:\S+ )?)*)([a-z]+)/gm)) {
      expect(commands, m[0]).toContain(m[2]);
    }
  });

  it("runs the 'Encord's guide, step by step' examples as written (against the emulator)", async () => {
    const section = README.slice(README.indexOf("## Encord's guide, step by step"), README.indexOf('## A complete nightly cron job'));
    const lines = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((m) => m[1]!.split('\n'))
      .filter((l) => l.startsWith('encord-meta '))
      .map((l) => l.replace(/\s+#.*$/, '').replaceAll('4f1c…e2', DATASET));
    expect(lines).toHaveLength(13);
    // The folder way runs on the tree `emulator --seed-folders 3` makes (its top folder stands for 9b2e…07).
    const emulator = await demoEmulator({ seedFolders: { subfolders: 3 } });
    const folder = emulator.folders().find((f) => f.name === 'Rehearsal uploads')!.uuid;
    for (const [i, l] of lines.entries()) lines[i] = l.replaceAll('9b2e…07', folder);
    const env = { HOME: tempDir(), ENCORD_DOMAIN: emulator.url, ENCORD_SSH_KEY: readFileSync(join(ROOT, 'samples/keys/demo-test-key'), 'utf8') };
    try {
      const codes: number[] = [];
      for (const line of lines) {
        const r = await cli(shellWords(line).slice(1), { url: emulator.url, env, prompt: async () => 'y' });
        codes.push(r.code);
      }
      // Every step succeeds, the dataset way and the folder way; the last one is `schema check` finding the
      // guide's city mistake (exit 3).
      expect(codes).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
      // Step 5 the folder way reached the subfolders.
      expect(emulator.state.itemMetadata(firstItemOf(emulator, 'cam-03'))).toMatchObject({ city: 'Paris', weather: 'fog' });
      // The folder import named the top folder's files by name: its first file took the sample's first row.
      expect(emulator.state.itemMetadata(firstItemOf(emulator, 'Rehearsal uploads'))).toMatchObject({ city: 'Lyon', dark: true, weather: 'fog' });
    } finally {
      await emulator.close();
    }
  });

  it('has the FAQ the issue asks for', () => {
    for (const q of ['Merge or replace?', 'How do I resume', 'rate limits?', 'Which key should I use?']) expect(README).toContain(q);
  });
});

/** The uuid of the first item of the seeded folder named `name`. */
function firstItemOf(emulator: Awaited<ReturnType<typeof demoEmulator>>, name: string): string {
  const folder = emulator.folders().find((f) => f.name === name)!;
  return emulator.state.snapshot().items.find((i) => i.parent === folder.uuid)!.uuid;
}

/** Split a shell command line into words (single and double quotes, no expansions). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}
