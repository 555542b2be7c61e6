/** Secrets never reach the request log, the state file or error messages (STYLE: redact before logging). */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startEmulator, STATE_FILE } from '../../src/emulator/index.js';
import { call, otherKey, pyJson, sentSecrets, TEST_SEED_HEX, v1Body } from './helpers.js';

const PRIVATE_KEY_TEXT = readFileSync(new URL('../fixtures/keys/test-key', import.meta.url), 'utf8');

it('the request log, counters, state file and error bodies hold no key, seed, signature or token', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'emu-secrets-'));
  const emu = await startEmulator({ stateDir: dir, seedRows: 20, requestLog: { maxEntries: 1000 } });
  const bodies: string[] = [];
  try {
    const [ds] = emu.datasets();
    const hash = ds!.hash;
    const token = (await call(emu.url, '/v2/public/user/bearer-token')).json.token as string;
    sentSecrets.push(token);
    const other = otherKey();
    const rows = (await call(emu.url, '/public', { dataset: hash, body: v1Body('dataset', 'GET', null, { dataset_access_settings: { fetch_client_metadata: true } }) })).json.response.data_rows;
    const responses = await Promise.all([
      call(emu.url, '/public', { dataset: hash, body: v1Body('datarow', 'POST', rows[0].data_hash, { client_metadata: { a: 1 } }) }),
      call(emu.url, '/public', { dataset: hash, body: v1Body('dataset', 'GET', null, {}), auth: { bearer: token } }),
      call(emu.url, '/public', { dataset: hash, body: v1Body('dataset', 'GET', null, {}), auth: { key: other.privateKey, keyHex: other.publicKeyHex } }),
      call(emu.url, '/v2/public/storage/items/get-bulk', { method: 'POST', body: pyJson({ itemUuids: [rows[1].backing_item_uuid] }) }),
      call(emu.url, `/v2/public/storage/items/${rows[1].backing_item_uuid}`, { auth: { bearer: token } }),
      call(emu.url, `/v2/public/storage/items/${rows[1].backing_item_uuid}`, { auth: { key: other.privateKey, keyHex: other.publicKeyHex } }),
      call(emu.url, `/v2/public/storage/items/${rows[1].backing_item_uuid}`, { auth: { bearer: `${token}x` } }),
      call(emu.url, `/v2/public/storage/items/${rows[1].backing_item_uuid}`, { created: 1 }),
    ]);
    bodies.push(...responses.map((r) => r.text));
  } finally {
    await emu.close();
  }
  const haystack = [
    JSON.stringify(emu.requestLog.all()),
    JSON.stringify(emu.counters()),
    await readFile(join(dir, STATE_FILE), 'utf8'),
    ...bodies,
  ].join('\n');
  await rm(dir, { recursive: true, force: true });
  expect(emu.requestLog.all().length).toBeGreaterThanOrEqual(10);
  expect(haystack).toContain('[REDACTED]');
  const needles = [
    TEST_SEED_HEX,
    Buffer.from(TEST_SEED_HEX, 'hex').toString('base64'),
    'PRIVATE KEY',
    ...PRIVATE_KEY_TEXT.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
    ...sentSecrets,
  ];
  expect(sentSecrets.length).toBeGreaterThan(8);
  for (const needle of needles) expect(haystack.includes(needle), `found a secret: ${needle.slice(0, 12)}…`).toBe(false);
});
