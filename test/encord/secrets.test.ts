/**
 * Nothing secret leaves the client: trigger every error path (including a server that echoes the request
 * headers back in its error text) and grep messages, String(err), JSON of the error and its details,
 * util.inspect of the error with causes, and every emitted event for the private key text, the seed, the
 * passphrase, every signature that was sent, and the bearer token.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerTokenAuth, SshKeyAuth } from '../../src/encord/auth.js';
import { EncordClient } from '../../src/encord/client.js';
import type { ClientEvent } from '../../src/encord/client-events.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import { decodeOpenSshPrivateKey, parseOpenSshPrivateKey } from '../../src/encord/keys.js';
import {
  CIPHER_KEYS,
  PASSPHRASE,
  SEED_HEX,
  TEST_KEY,
  TEST_KEY_PASSPHRASE,
  fakeTime,
  json,
  startServer,
  v1err,
  v1ok,
  wireItem,
  wireRow,
  type Handler,
  type TestServer,
} from './helpers.js';

const FAST_ENCRYPTED_KEY = CIPHER_KEYS['aes256-gcm@openssh.com']!;

const TOKEN = 'tok_SUPERSECRET_1234567890';
const DS = '11111111-2222-3333-4444-555555555555';
const U1 = 'aaaaaaaa-0000-0000-0000-000000000001';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

/** A server that answers with the request's own secret headers in its error text. */
const echoHeaders =
  (status: number, v1: boolean): Handler =>
  (req, res) => {
    const leaked = `auth=${String(req.headers['authorization'])} sig=${String(req.headers['signature'])} input=${String(req.headers['signature-input'])}`;
    const body = v1 ? { status: 400, response: ['INVALID_ARGUMENTS_ERROR'], payload: leaked } : { message: leaked };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

function secretsSent(): string[] {
  const out = new Set<string>();
  for (const r of server.requests) {
    const a = r.headers['authorization'];
    if (typeof a === 'string') out.add(a.includes(':') ? a.split(':')[1]! : a.replace(/^Bearer /, ''));
    const s = /encord-sig=:(.+):/.exec(String(r.headers['signature']))?.[1];
    if (s !== undefined) out.add(s);
  }
  return [...out];
}

describe('no secrets in errors or events', () => {
  it('holds for every error path', async () => {
    const events: ClientEvent[] = [];
    const errors: unknown[] = [];
    const time = fakeTime();
    const common = { domain: server.origin, now: time.now, sleep: time.sleep, maxRetries: 1, maxRequestsPerSecond: 1000, startRequestsPerSecond: 1000, onEvent: (e: ClientEvent) => events.push(e) };
    const ssh = new EncordClient({ auth: new SshKeyAuth(parseOpenSshPrivateKey(TEST_KEY)), ...common });
    const bearer = new EncordClient({ auth: new BearerTokenAuth(TOKEN), ...common });
    const collect = async (p: Promise<unknown>): Promise<void> => {
      try {
        const v = await p;
        if (Array.isArray(v)) for (const o of v as { ok?: boolean; error?: unknown }[]) if (o.ok === false) errors.push(o.error);
      } catch (e) {
        errors.push(e);
      }
    };

    const cases: [Handler[], (c: EncordClient) => Promise<unknown>][] = [
      [[v1err(200, 'AUTHENTICATION_ERROR')], (c) => c.refetchDataUnit(DS, 'h1')],
      [[v1err(400, 'SSH_KEY_NOT_FOUND_ERROR', 'Your used SSH key does not exist.')], (c) => c.refetchDataUnit(DS, 'h1')],
      [[v1err(404, 'RESOURCE_NOT_FOUND_ERROR')], (c) => c.getDataset(DS)],
      [[json(502, '<html>gateway</html>')], (c) => c.getDataset(DS)],
      [[json(429, { status: 429, response: ['RATE_LIMIT_EXCEEDED'] }, { 'retry-after': '1' })], (c) => c.getDataset(DS)],
      [[echoHeaders(400, true)], (c) => c.saveMetadata(DS, 'h1', { a: 1 })],
      [[echoHeaders(400, false)], (c) => c.getTypedSchema()],
      [[echoHeaders(401, false)], (c) => c.getBearerToken()],
      [[echoHeaders(500, false)], (c) => c.patchItems(new Map([[U1, { a: 1 }]]))],
      [[json(413, { detail: 'too big' })], (c) => c.patchItems(new Map([[U1, { a: 1 }]]))],
      [[json(200, { results: [wireItem(U1, { a: 2 })] })], (c) => c.patchItems(new Map([[U1, { a: 1 }]]))],
      [[json(200, { results: [] })], (c) => c.patchItems(new Map([[U1, { a: 1 }]]))],
      [[v1ok({ updated_fields: [], data_row: wireRow('h1', 't', {}) })], (c) => c.saveMetadata(DS, 'h1', { a: 1 })],
      [[json(200, 'not json')], (c) => c.getSimpleSchema()],
      [[(_q, _r, raw) => raw.socket.destroy()], (c) => c.getBearerToken()],
      [[json(201, {})], (c) => c.getItems([U1])],
    ];
    for (const client of [ssh, bearer]) {
      for (const [handlers, call] of cases) {
        server.use(...handlers);
        await collect(call(client));
      }
    }
    const ac = new AbortController();
    ac.abort();
    await collect(ssh.getBearerToken({ signal: ac.signal }));

    // Key and credential errors.
    await collect(Promise.resolve().then(() => decodeOpenSshPrivateKey(TEST_KEY, PASSPHRASE, 'ENCORD_SSH_KEY')));
    // A wrong passphrase runs the whole key derivation: the 2-round copy of the key (the 16-round one costs
    // a third of a second of CPU and fails the same way).
    await collect(Promise.resolve().then(() => decodeOpenSshPrivateKey(FAST_ENCRYPTED_KEY, 'wrong-pass', 'ENCORD_SSH_KEY')));
    await collect(loadCredentials({ env: { ENCORD_SSH_KEY: TEST_KEY_PASSPHRASE } }));
    await collect(loadCredentials({ env: { ENCORD_SSH_KEY: TEST_KEY.replace('AAAA', 'A!AA') } }));
    await collect(loadCredentials({ bearerToken: TOKEN, sshKeyText: TEST_KEY, env: {} }));
    await collect(loadCredentials({ bearerToken: TOKEN, passphrase: PASSPHRASE, env: {} }));
    await Promise.all([ssh.close(), bearer.close()]);

    expect(errors.length).toBeGreaterThanOrEqual(38);
    const sent = secretsSent();
    expect(sent.length).toBeGreaterThan(5);
    const keyLines = TEST_KEY.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const encLines = [TEST_KEY_PASSPHRASE, FAST_ENCRYPTED_KEY].join('\n').split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const seed = Buffer.from(SEED_HEX, 'hex');
    const secrets = [
      ...keyLines,
      ...encLines,
      SEED_HEX,
      seed.toString('base64'),
      seed.toString('base64url'),
      PASSPHRASE,
      'wrong-pass',
      TOKEN,
      ...sent,
    ];

    const texts: string[] = [];
    for (const e of errors) {
      const err = e as Error & { details?: unknown };
      texts.push(err.message, String(err), JSON.stringify(err), JSON.stringify(err.details ?? null), inspect(err, { depth: 6 }));
    }
    texts.push(JSON.stringify(events), inspect(events, { depth: 6 }));
    const all = texts.join('\n');
    for (const secret of secrets) expect(all.includes(secret), `leaked ${secret.slice(0, 12)}…`).toBe(false);
    // The echoed headers were seen and redacted, not dropped silently.
    expect(all).toContain('[REDACTED');
    // The public key is not secret, and is what users need to register.
    expect(all).toContain('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6YK7qSbpTk');
  });
});
