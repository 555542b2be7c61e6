/**
 * samples/cron/: the nightly wrapper run the way cron runs it (no terminal, a minimal environment), against
 * the emulator: dated report directories, the run log line, and a failure mailed.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { loadJobConfig } from '../../src/cli/job-config.js';
import { loadSchemaFile, toTypedWire } from '../../src/schema/index.js';
import { BIN, DATASET, SAMPLES, demoEmulator, ensureBuilt, tempDir } from './helpers.js';

const SCRIPT = join(SAMPLES, 'cron', 'nightly-import.sh');
let emulator: Emulator;
let home: string;
let bin: string;
let key: string;

beforeAll(async () => {
  ensureBuilt();
  emulator = await demoEmulator({ typedSchema: toTypedWire(await loadSchemaFile(join(SAMPLES, 'schema.json'))) });
  home = tempDir('encord-meta-cron-');
  // A fake mail(1) that records what it was asked to send.
  bin = join(home, 'bin');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(bin);
  writeFileSync(join(bin, 'mail'), `#!/bin/sh\n{ echo "ARGS: $*"; cat; } >> "${join(home, 'mail.txt')}"\n`);
  chmodSync(join(bin, 'mail'), 0o755);
  key = join(home, 'key');
  copyFileSync(join(SAMPLES, 'keys', 'demo-test-key'), key);
  chmodSync(key, 0o600);
});
afterAll(async () => {
  await emulator.close();
});

function runScript(config: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT, config], {
      env: {
        PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: home,
        USER: 'etl',
        ENCORD_META: `${process.execPath} ${BIN}`,
        ENCORD_META_HOME: join(home, 'nightly'),
        ENCORD_DOMAIN: emulator.url,
        ENCORD_SSH_KEY_FILE: key,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('samples/cron', () => {
  it('nightly.json is a valid job config naming the sample file', () => {
    const config = loadJobConfig(join(SAMPLES, 'cron', 'nightly.json'), SAMPLES);
    expect(config).toMatchObject({ dataset: DATASET, file: join(SAMPLES, 'metadata.csv'), mode: 'merge' });
  });

  it('the crontab line runs the wrapper with a config', () => {
    expect(readFileSync(join(SAMPLES, 'cron', 'crontab.example'), 'utf8')).toMatch(/^30\s+2\s+\*\s+\*\s+\*\s+\S+\/nightly-import\.sh \S+\.json$/m);
  });

  it('a good night: exit 0, reports kept under the date, one log line, no mail', async () => {
    const r = await runScript(join(SAMPLES, 'cron', 'nightly.json'));
    expect(r.code, r.err).toBe(0);
    const nights = readdirSync(join(home, 'nightly')).filter((n) => /^\d{4}-\d\d-\d\d$/.test(n));
    expect(nights).toHaveLength(1);
    const files = readdirSync(join(home, 'nightly', nights[0]!));
    const summary = files.find((f) => f.startsWith('summary-'))!;
    expect(JSON.parse(readFileSync(join(home, 'nightly', nights[0]!, summary), 'utf8'))).toMatchObject({ written: 300, failed: 0 });
    const log = files.find((f) => f.startsWith('run-') && f.endsWith('.log'));
    expect(log).toBeDefined();
    // The bin's stdout and stderr, piped to the log: plain progress lines, no control characters.
    const logText = readFileSync(join(home, 'nightly', nights[0]!, log!), 'utf8');
    expect(logText).toContain('written 300');
    expect(logText).not.toMatch(/[\r\x1b]/);
    expect(files).toContain('undo-journal.jsonl');
    expect(readFileSync(join(home, 'nightly', 'nightly.log'), 'utf8')).toMatch(/: ok \(exit 0, log /);
    expect(existsSync(join(home, 'mail.txt'))).toBe(false);
  });

  it('a night with failed rows: exit 3, the failure report is kept and a mail names it', async () => {
    const csv = join(home, 'bad.csv');
    writeFileSync(csv, 'index,weather\n0,sunny\n1,drizzle\n');
    const config = join(home, 'bad.json');
    writeFileSync(config, JSON.stringify({ dataset: DATASET, file: csv }));
    const r = await runScript(config);
    expect(r.code).toBe(3);
    const mail = readFileSync(join(home, 'mail.txt'), 'utf8');
    expect(mail).toMatch(/ARGS: -s encord-meta nightly \d{4}-\d\d-\d\d on \S+: finished, some rows failed: .*failures-\d{6}\.csv etl/);
    const report = /failures-\d{6}\.csv/.exec(mail)![0];
    const night = readdirSync(join(home, 'nightly')).find((n) => /^\d{4}-/.test(n))!;
    expect(readFileSync(join(home, 'nightly', night, report), 'utf8')).toContain('INVALID_ENUM');
    expect(readFileSync(join(home, 'nightly', 'nightly.log'), 'utf8')).toMatch(/finished, some rows failed/);
  });
});
