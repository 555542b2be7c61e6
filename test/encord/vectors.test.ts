/** Protocol §3: every test vector, byte for byte, from the TEST-ONLY key files. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SshKeyAuth } from '../../src/encord/auth.js';
import { Ed25519Key, decodeOpenSshPrivateKey, parseOpenSshPrivateKey } from '../../src/encord/keys.js';
import { encodeAsciiJson } from '../../src/encord/json-codec.js';
import {
  contentDigest,
  signatureBase,
  signatureParams,
  v1Digest,
  verifyEd25519,
} from '../../src/encord/protocol/signing.js';
import { v1Body } from '../../src/encord/v1.js';
import { encodeQuery, v2Path } from '../../src/encord/v2.js';
import { PASSPHRASE, PUBLIC_KEY_HEX, SEED_HEX, TEST_KEY, TEST_KEY_PASSPHRASE, TEST_PUB } from './helpers.js';

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const key = parseOpenSshPrivateKey(TEST_KEY);
const auth = new SshKeyAuth(key);
const CREATED = 1700000000;
/** The SDK subtracts 30 s from the clock: this clock yields created = 1700000000. */
const NOW_MS = (CREATED + 30) * 1000;
/** The passphrase-protected key, decrypted once (16 bcrypt rounds, a third of a second of CPU) for two tests. */
let decrypted: ReturnType<typeof decodeOpenSshPrivateKey> | undefined;
const decryptOnce = (): ReturnType<typeof decodeOpenSshPrivateKey> => (decrypted ??= decodeOpenSshPrivateKey(TEST_KEY_PASSPHRASE, PASSPHRASE));

describe('protocol §3.1 test key', () => {
  it('decodes to the published seed and public key', () => {
    const d = decodeOpenSshPrivateKey(TEST_KEY);
    expect(d.seed.toString('hex')).toBe(SEED_HEX);
    expect(d.publicKey.toString('hex')).toBe(PUBLIC_KEY_HEX);
    expect(d.comment).toBe('encord-emulator-test-key');
    expect(d.cipher).toBe('none');
  });

  it('the passphrase-protected key decrypts to the same seed', () => {
    const d = decryptOnce();
    expect(d.cipher).toBe('aes256-ctr');
    expect(d.seed.toString('hex')).toBe(SEED_HEX);
    expect(d.publicKey.toString('hex')).toBe(PUBLIC_KEY_HEX);
  });

  it('exposes public_key_hex and the OpenSSH public line', () => {
    expect(key.publicKeyHex).toBe(PUBLIC_KEY_HEX);
    expect(key.publicKeyOpenSsh).toBe(TEST_PUB);
    expect(auth.publicKeyOpenSsh).toBe(TEST_PUB);
  });
});

describe('protocol §3.2 v1 vectors', () => {
  const V1A =
    '{"query_type": "datarow", "query_method": "POST", "values": {"uid": "dddddddd-0000-0000-0000-000000000001", "payload": {"client_metadata": {"k": 5}}}}';
  const V1B =
    '{"query_type": "dataset", "query_method": "GET", "values": {"uid": null, "payload": {"dataset_access_settings": {"fetch_client_metadata": true}}}}';

  it('V1-A: DataRow.save body, digest, signature, Authorization', () => {
    const body = v1Body({
      resourceType: 'dataset',
      resourceId: 'x',
      queryType: 'datarow',
      queryMethod: 'POST',
      uid: 'dddddddd-0000-0000-0000-000000000001',
      payload: { client_metadata: { k: 5 } },
    });
    expect(body.toString('utf8')).toBe(V1A);
    expect(body.length).toBe(150);
    expect(v1Digest(body).toString('hex')).toBe('5472b2da0721ebf6c94303d79744f7d5107c1c3bf0ed6615ab718103e0a39d89');
    const sig =
      '7152557271f3efe80dd44ab0299577d70bc170794435d2631ca3d7e21fde88abde9ff55b7cc91456d9e47a698f5a0aec0c5d918bd0f18e5ba06386df1a44fa02';
    expect(key.sign(v1Digest(body)).toString('hex')).toBe(sig);
    expect(auth.v1Authorization(body)).toBe(`${PUBLIC_KEY_HEX}:${sig}`);
  });

  it('V1-B: get_dataset body, digest, signature, Authorization', () => {
    const body = v1Body({
      resourceType: 'dataset',
      resourceId: '11111111-2222-3333-4444-555555555555',
      queryType: 'dataset',
      queryMethod: 'GET',
      uid: null,
      payload: { dataset_access_settings: { fetch_client_metadata: true } },
    });
    expect(body.toString('utf8')).toBe(V1B);
    expect(body.length).toBe(146);
    expect(v1Digest(body).toString('hex')).toBe('88b1cce48da9a7c376a1c07ff0ba80392076f069707d79ce6a3346f3500b2fd3');
    const sig =
      '6061935a7d0bd6cfcefb58b1b8efb77d57bdc931e57abaaabc85fb04c0eec814e3b589e903d84c040205dc4615970d76e0c44ce0a9e7a8ca2e0f5c97b4f7b207';
    expect(auth.v1Authorization(body)).toBe(`${PUBLIC_KEY_HEX}:${sig}`);
    expect(verifyEd25519(key.publicKey, v1Digest(body), Buffer.from(sig, 'hex'))).toBe(true);
  });

  it('the passphrase-protected key produces the same signatures', () => {
    const k2 = Ed25519Key.fromSeed(decryptOnce().seed);
    const body = Buffer.from(V1A);
    expect(k2.v1Authorization(body)).toBe(key.v1Authorization(body));
  });
});

describe('protocol §3.3 v2 vectors', () => {
  const params = `("@method" "@request-target" "content-digest");created=1700000000;keyid="${PUBLIC_KEY_HEX}";alg="ed25519"`;
  const EMPTY_DIGEST = 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:';

  function check(
    method: string,
    target: string,
    body: Buffer,
    expected: { digest: string; base: string; baseLength: number; baseSha256: string; signature: string },
  ): void {
    const digest = contentDigest(body);
    expect(digest).toBe(expected.digest);
    expect(signatureParams(CREATED, PUBLIC_KEY_HEX)).toBe(params);
    const base = signatureBase(method, target, digest, params);
    expect(base).toBe(expected.base);
    expect(Buffer.byteLength(base)).toBe(expected.baseLength);
    expect(sha256(base)).toBe(expected.baseSha256);
    expect(key.sign(Buffer.from(base)).toString('base64')).toBe(expected.signature);
    expect(auth.v2Headers(method, target, body, NOW_MS)).toEqual({
      'content-digest': expected.digest,
      'signature-input': `encord-sig=${params}`,
      signature: `encord-sig=:${expected.signature}:`,
    });
  }

  it('V2-A: PATCH patch-bulk', () => {
    const body = encodeAsciiJson({ itemPatches: { 'aaaaaaaa-0000-0000-0000-000000000001': { clientMetadata: { idx: 0 } } } });
    expect(body.toString()).toBe('{"itemPatches": {"aaaaaaaa-0000-0000-0000-000000000001": {"clientMetadata": {"idx": 0}}}}');
    expect(body.length).toBe(89);
    const target = v2Path('storage/items/patch-bulk') + encodeQuery(undefined);
    expect(target).toBe('/v2/public/storage/items/patch-bulk');
    check('PATCH', target, body, {
      digest: 'sha-256=:sXJiQUifn/mHel4C6bWVOGyIAOW8EXlVYRiKTtRfxQs=:',
      base: [
        '"@method": PATCH',
        '"@request-target": /v2/public/storage/items/patch-bulk',
        '"content-digest": sha-256=:sXJiQUifn/mHel4C6bWVOGyIAOW8EXlVYRiKTtRfxQs=:',
        `"@signature-params": ${params}`,
      ].join('\n'),
      baseLength: 318,
      baseSha256: '1b669de2ca63edaf16d36472d8e33087b5b61064f0cebbd7ccca86f7a5a7d37e',
      signature: 'v2OmiXfQLlDh8twSkSNZgV0/zmbHWOC0pZ3ZNFJ8zS7b+tygZBDXFReZPzVIaUPTSritEcWMDyHa9F6akGqmCA==',
    });
  });

  it('V2-B: GET one item with signUrl=False', () => {
    const target = v2Path('storage/items/aaaaaaaa-0000-0000-0000-000000000001') + encodeQuery([['signUrl', false]]);
    expect(target).toBe('/v2/public/storage/items/aaaaaaaa-0000-0000-0000-000000000001?signUrl=False');
    check('GET', target, Buffer.alloc(0), {
      digest: EMPTY_DIGEST,
      base: [
        '"@method": GET',
        `"@request-target": ${target}`,
        `"content-digest": ${EMPTY_DIGEST}`,
        `"@signature-params": ${params}`,
      ].join('\n'),
      baseLength: 356,
      baseSha256: '58ad1a4023bf1600348415b1827e9ce9d9d8c1b215291961453ca9cad4967036',
      signature: 'dle7hfZpcak3r00rwSIp/bf2EVLO5hocYLRZMygZIRIdLf88YAAMTocx9xWpcpyxGS5KgXN/DP+Z76eU0gWtBA==',
    });
  });

  it('V2-C: query with encoding, repeated keys and a non-ASCII value', () => {
    const target =
      v2Path('/storage/folders/ffffffff-0000-0000-0000-000000000001/items/') +
      encodeQuery([
        ['search', 'scan 01/ä&x'],
        ['isRecursive', false],
        ['isInDataset', null],
        ['itemTypes', ['image', 'video']],
        ['order', 'name'],
        ['desc', false],
        ['pageToken', undefined],
        ['pageSize', 100],
        ['signUrls', false],
      ]);
    expect(target).toBe(
      '/v2/public/storage/folders/ffffffff-0000-0000-0000-000000000001/items?search=scan+01%2F%C3%A4%26x&isRecursive=False&itemTypes=image&itemTypes=video&order=name&desc=False&pageSize=100&signUrls=False',
    );
    check('GET', target, Buffer.alloc(0), {
      digest: EMPTY_DIGEST,
      base: [
        '"@method": GET',
        `"@request-target": ${target}`,
        `"content-digest": ${EMPTY_DIGEST}`,
        `"@signature-params": ${params}`,
      ].join('\n'),
      baseLength: 478,
      baseSha256: 'ceaf07e6cfc76fc4765fda8aa5a39f569076af4d63fd3fca9e577fd48ce1772e',
      signature: 'F3TJ3x97MxGlInQY/gIImroLW+UrHLLMGQkE2qdJ34ArwJszuudKRth5SwOjH9OLsLZlk2z4++Kr5Zp8h+fKAg==',
    });
  });

  it('a one-byte-tampered base does not verify', () => {
    const base = signatureBase('GET', '/v2/public/x', EMPTY_DIGEST, params);
    const sig = key.sign(Buffer.from(base));
    expect(verifyEd25519(key.publicKey, Buffer.from(base), sig)).toBe(true);
    expect(verifyEd25519(key.publicKey, Buffer.from(base.replace('x', 'y')), sig)).toBe(false);
  });
});
