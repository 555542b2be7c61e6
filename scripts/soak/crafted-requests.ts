/**
 * Requests an attacker could send to the emulator during the soak, each of which must be refused. Signed
 * with the protocol functions of `src/encord/` (the client's own signing), then tampered with.
 */
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { Ed25519Key } from '../../src/encord/ed25519-key.js';
import { decodeOpenSshPrivateKey } from '../../src/encord/keys.js';
import type { EmulatorProcess } from '../bench/lib/emulator-process.js';

function send(url: string, method: string, target: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path: target, headers: { ...headers, 'content-length': String(body.length), 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Requests an attacker could send, each of which must be refused: a forged v1 signature, a v1 signature
 * replayed with another body, a v2 signature replayed with another body (digest as signed, and digest
 * recomputed), a stale v2 `created`, and a valid signature by a key the emulator does not know.
 */
export async function craftedRequests(emu: EmulatorProcess, dataset: string, keyText: string): Promise<{ statuses: number[]; secrets: string[] }> {
  const key = Ed25519Key.fromSeed(decodeOpenSshPrivateKey(keyText).seed);
  const { privateKey } = generateKeyPairSync('ed25519');
  const strangerSeed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const stranger = Ed25519Key.fromSeed(strangerSeed);
  const v1 = (query: object): Buffer => Buffer.from(JSON.stringify(query));
  const listBody = v1({ query_type: 'dataset', query_method: 'GET', values: { uid: null, payload: { dataset_access_settings: { fetch_client_metadata: false } } } });
  const otherBody = v1({ query_type: 'datarow', query_method: 'POST', values: { uid: dataset, payload: { client_metadata: { pwned: true } } } });
  const v1Headers = (authorization: string): Record<string, string> => ({ resourcetype: 'dataset', resourceid: dataset, authorization });
  const now = Math.floor(Date.now() / 1000) - 30;
  const target = '/v2/public/storage/items/get-bulk';
  const bulkA = Buffer.from(JSON.stringify({ itemUuids: [] }));
  const bulkB = Buffer.from(JSON.stringify({ itemUuids: ['00000000-0000-4000-8000-000000000000'] }));
  const secrets: string[] = [];
  const v2 = (h: { 'content-digest': string; 'signature-input': string; signature: string }): Record<string, string> => {
    secrets.push(h.signature.slice('encord-sig=:'.length, -1));
    return { ...h };
  };
  const legitV1 = key.v1Authorization(listBody);
  const forged = `${key.publicKeyHex}:${'ab'.repeat(64)}`;
  secrets.push(legitV1.split(':')[1]!, forged.split(':')[1]!);
  const signedA = key.v2SignatureHeaders('POST', target, bulkA, now);
  const strangerV1 = stranger.v1Authorization(listBody);
  secrets.push(strangerV1.split(':')[1]!);
  const statuses = await Promise.all([
    // forged v1 signature
    send(emu.url, 'POST', '/public', v1Headers(forged), listBody),
    // v1 replayed with another body
    send(emu.url, 'POST', '/public', v1Headers(legitV1), otherBody),
    // v2 replayed with another body, digest as signed
    send(emu.url, 'POST', target, v2(signedA), bulkB),
    // v2 replayed with another body, digest recomputed for it
    send(emu.url, 'POST', target, { ...v2(signedA), 'content-digest': key.v2SignatureHeaders('POST', target, bulkB, now)['content-digest'] }, bulkB),
    // stale: signed an hour ago
    send(emu.url, 'POST', target, v2(key.v2SignatureHeaders('POST', target, bulkA, now - 3600)), bulkA),
    // valid signatures by an unregistered key, v1 and v2
    send(emu.url, 'POST', '/public', v1Headers(strangerV1), listBody),
    send(emu.url, 'POST', target, v2(stranger.v2SignatureHeaders('POST', target, bulkA, now)), bulkA),
  ]);
  return { statuses, secrets };
}

