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
import { DATASET, ROOT, cli, demoEmulator, tempDir } from './helpers.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('starts with the two quick-start commands', () => {
    const block = /```sh\n([\s\S]*?)```/.exec(README)![1]!;
    const commands = block.split('\n').filter(Boolean).map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(commands).toEqual(['npm ci && npx encord-meta demo', 'npm test']);
  });

  it('lists every error code and every exit code', () => {
    const codes = [
      ...Object.keys(ENCORD_ERROR_CODES),
      ...Object.keys(COERCION_ERROR_CODES),
      ...Object.keys(MAPPING_CODES),
      ...Object.keys(SCHEMA_ERROR_CODES),
      ...Object.keys(SOURCE_ERROR_CODES),
      ...Object.keys(BAD_RECORD_CODES),
      'ITEM_NOT_RETURNED',
      'WRITE_UNCONFIRMED',
      'METADATA_UNKNOWN',
      'LOCKED',
      'JOURNAL_IO',
      'USAGE_CONFIRM',
      'USAGE_REMOVALS_NOT_ALLOWED',
      'USAGE_UNKNOWN_KEY',
      'USAGE_INVALID_VALUE',
      'SCHEMA_UNKNOWN_COLUMNS',
      'USAGE_RESERVED_KEY',
      'INVALID_VALUE',
      'ROLLBACK_CONFLICT',
      'UNKNOWN_COLUMN_NOT_TEXT',
      'UNKNOWN_COLUMN_INVALID_JSON',
      'KEY_FILE_PERMISSIONS',
    ];
    const missing = codes.filter((c) => !README.includes(`\`${c}\``));
    expect(missing).toEqual([]);
    for (const code of Object.values(EXIT)) expect(README).toMatch(new RegExp(`\\n\\| ${code} \\|`));
  });

  it('shows every command with an example, and every command it shows exists', async () => {
    const help = (await cli(['--help'], { url: 'http://127.0.0.1:1' })).out;
    const section = help.slice(help.indexOf('Commands:'));
    const commands = [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(['demo', 'schema', 'import', 'list', 'set', 'rollback', 'summary', 'datasets', 'emulator']);
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
    expect(lines).toHaveLength(8);
    const emulator = await demoEmulator();
    const env = { HOME: tempDir(), ENCORD_DOMAIN: emulator.url, ENCORD_SSH_KEY: readFileSync(join(ROOT, 'samples/keys/demo-test-key'), 'utf8') };
    try {
      const codes: number[] = [];
      for (const line of lines) {
        const r = await cli(shellWords(line).slice(1), { url: emulator.url, env, prompt: async () => 'y' });
        codes.push(r.code);
      }
      // Every step succeeds; the last one is `schema check` finding the guide's city mistake (exit 3).
      expect(codes).toEqual([0, 0, 0, 0, 0, 0, 0, 3]);
    } finally {
      await emulator.close();
    }
  });

  it('has the FAQ the issue asks for', () => {
    for (const q of ['Merge or replace?', 'How do I resume', 'rate limits?', 'Which key should I use?']) expect(README).toContain(q);
  });
});

/** Split a shell command line into words (single and double quotes, no expansions). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}
