/** The verifier against every protocol §3 vector, and the rejections of protocol §2.5 / §9. */
import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePublicKey, parsePublicKeys } from '../../src/encord/protocol/public-key.js';
import { contentDigest, signatureParams, v1Authorization, v2SignatureHeaders } from '../../src/encord/protocol/signing.js';
import { AuthVerifier, SPEC_TEST_PUBLIC_KEY } from '../../src/emulator/auth.js';
import { otherKey, TEST_PUB_HEX, testPrivateKey } from './helpers.js';

const CREATED = 1_700_000_000;

function verifier(nowSeconds = CREATED + 30, keys: string[] = [SPEC_TEST_PUBLIC_KEY]): AuthVerifier {
  const v = new AuthVerifier({
    clock: () => nowSeconds * 1000,
    maxAgeSeconds: () => 600,
    maxFutureSeconds: () => 60,
    tokenTtlSeconds: 3600,
  });
  for (const k of keys) v.authorize(k);
  return v;
}

// ---- protocol §3.2 / §3.3 vectors, verbatim
const V1A_BODY =
  '{"query_type": "datarow", "query_method": "POST", "values": {"uid": "dddddddd-0000-0000-0000-000000000001", "payload": {"client_metadata": {"k": 5}}}}';
const V1A_AUTH =
  '1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00:7152557271f3efe80dd44ab0299577d70bc170794435d2631ca3d7e21fde88abde9ff55b7cc91456d9e47a698f5a0aec0c5d918bd0f18e5ba06386df1a44fa02';
const V1B_BODY =
  '{"query_type": "dataset", "query_method": "GET", "values": {"uid": null, "payload": {"dataset_access_settings": {"fetch_client_metadata": true}}}}';
const V1B_AUTH =
  '1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00:6061935a7d0bd6cfcefb58b1b8efb77d57bdc931e57abaaabc85fb04c0eec814e3b589e903d84c040205dc4615970d76e0c44ce0a9e7a8ca2e0f5c97b4f7b207';

const SIG_INPUT =
  'encord-sig=("@method" "@request-target" "content-digest");created=1700000000;keyid="1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00";alg="ed25519"';
const EMPTY_DIGEST = 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:';
const V2A = {
  method: 'PATCH',
  target: '/v2/public/storage/items/patch-bulk',
  body: '{"itemPatches": {"aaaaaaaa-0000-0000-0000-000000000001": {"clientMetadata": {"idx": 0}}}}',
  headers: {
    contentDigest: 'sha-256=:sXJiQUifn/mHel4C6bWVOGyIAOW8EXlVYRiKTtRfxQs=:',
    signatureInput: SIG_INPUT,
    signature: 'encord-sig=:v2OmiXfQLlDh8twSkSNZgV0/zmbHWOC0pZ3ZNFJ8zS7b+tygZBDXFReZPzVIaUPTSritEcWMDyHa9F6akGqmCA==:',
  },
};
const V2B = {
  method: 'GET',
  target: '/v2/public/storage/items/aaaaaaaa-0000-0000-0000-000000000001?signUrl=False',
  body: '',
  headers: {
    contentDigest: EMPTY_DIGEST,
    signatureInput: SIG_INPUT,
    signature: 'encord-sig=:dle7hfZpcak3r00rwSIp/bf2EVLO5hocYLRZMygZIRIdLf88YAAMTocx9xWpcpyxGS5KgXN/DP+Z76eU0gWtBA==:',
  },
};
const V2C = {
  method: 'GET',
  target:
    '/v2/public/storage/folders/ffffffff-0000-0000-0000-000000000001/items?search=scan+01%2F%C3%A4%26x&isRecursive=False&itemTypes=image&itemTypes=video&order=name&desc=False&pageSize=100&signUrls=False',
  body: '',
  headers: {
    contentDigest: EMPTY_DIGEST,
    signatureInput: SIG_INPUT,
    signature: 'encord-sig=:F3TJ3x97MxGlInQY/gIImroLW+UrHLLMGQkE2qdJ34ArwJszuudKRth5SwOjH9OLsLZlk2z4++Kr5Zp8h+fKAg==:',
  },
};

describe('v1 verification (protocol §2.5)', () => {
  it.each([
    ['V1-A', V1A_BODY, V1A_AUTH],
    ['V1-B', V1B_BODY, V1B_AUTH],
  ])('accepts vector %s', (_name, body, auth) => {
    expect(Buffer.byteLength(body)).toBe(_name === 'V1-A' ? 150 : 146);
    const r = verifier().verifyV1(auth, Buffer.from(body));
    expect(r).toMatchObject({ ok: true, scheme: 'v1-signature', keyId: TEST_PUB_HEX });
  });

  it('rejects a tampered body', () => {
    const r = verifier().verifyV1(V1A_AUTH, Buffer.from(V1A_BODY.replace('"k": 5', '"k": 6')));
    expect(r).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a valid signature by another key presented as the test key', () => {
    const other = otherKey();
    const sig = v1Authorization(other.publicKeyHex, other.privateKey, Buffer.from(V1A_BODY)).split(':')[1]!;
    const r = verifier().verifyV1(`${TEST_PUB_HEX}:${sig}`, Buffer.from(V1A_BODY));
    expect(r).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('tells an unregistered key (valid signature) from a bad signature', () => {
    const other = otherKey();
    const auth = v1Authorization(other.publicKeyHex, other.privateKey, Buffer.from(V1A_BODY));
    expect(verifier().verifyV1(auth, Buffer.from(V1A_BODY))).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(verifier(CREATED, [SPEC_TEST_PUBLIC_KEY, other.opensshLine]).verifyV1(auth, Buffer.from(V1A_BODY))).toMatchObject({
      ok: true,
      keyId: other.publicKeyHex,
    });
  });

  it('rejects missing and malformed headers', () => {
    const v = verifier();
    expect(v.verifyV1(undefined, Buffer.from(V1A_BODY))).toMatchObject({ ok: false, reason: 'missing' });
    expect(v.verifyV1('abc', Buffer.from(V1A_BODY))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(v.verifyV1(`${TEST_PUB_HEX}:abcd`, Buffer.from(V1A_BODY))).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('replays are accepted on v1 (the protocol cannot detect them, protocol §2.2)', () => {
    const v = verifier();
    expect(v.verifyV1(V1A_AUTH, Buffer.from(V1A_BODY)).ok).toBe(true);
    expect(v.verifyV1(V1A_AUTH, Buffer.from(V1A_BODY)).ok).toBe(true);
  });
});

describe('v2 verification (protocol §2.5, RFC 9421)', () => {
  it.each([
    ['V2-A', V2A],
    ['V2-B', V2B],
    ['V2-C', V2C],
  ])('accepts vector %s with the clock at created + 30 s', (_name, vec) => {
    const r = verifier().verifyV2(vec.method, vec.target, vec.headers, Buffer.from(vec.body));
    expect(r).toMatchObject({ ok: true, scheme: 'v2-signature', keyId: TEST_PUB_HEX });
  });

  it('recomputes the content digest: a replay with another body fails', () => {
    const r = verifier().verifyV2(V2A.method, V2A.target, V2A.headers, Buffer.from(V2A.body.replace('0}', '1}')));
    expect(r).toMatchObject({ ok: false, reason: 'digest-mismatch' });
  });

  it('a replay with another body and a recomputed digest fails the signature', () => {
    const body = Buffer.from(V2A.body.replace('0}', '1}'));
    const headers = { ...V2A.headers, contentDigest: contentDigest(body) };
    expect(verifier().verifyV2(V2A.method, V2A.target, headers, body)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('compares the raw request target: a re-encoded query fails', () => {
    const normalised = V2C.target.replace('scan+01', 'scan%2001');
    expect(verifier().verifyV2('GET', normalised, V2C.headers, Buffer.alloc(0))).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifier().verifyV2('POST', V2B.target, V2B.headers, Buffer.alloc(0))).toMatchObject({ ok: false });
  });

  it('rejects a stale or future created, with a configurable window', () => {
    expect(verifier(CREATED + 601).verifyV2('GET', V2B.target, V2B.headers, Buffer.alloc(0))).toMatchObject({
      ok: false,
      reason: 'stale',
    });
    expect(verifier(CREATED + 600).verifyV2('GET', V2B.target, V2B.headers, Buffer.alloc(0)).ok).toBe(true);
    expect(verifier(CREATED - 61).verifyV2('GET', V2B.target, V2B.headers, Buffer.alloc(0))).toMatchObject({
      ok: false,
      reason: 'future',
    });
    const wide = new AuthVerifier({ clock: () => (CREATED + 5000) * 1000, maxAgeSeconds: () => 6000, maxFutureSeconds: () => 0, tokenTtlSeconds: 1 });
    wide.authorize(SPEC_TEST_PUBLIC_KEY);
    expect(wide.verifyV2('GET', V2B.target, V2B.headers, Buffer.alloc(0)).ok).toBe(true);
  });

  it('rejects another key presented as the test key, and an unregistered key', () => {
    const other = otherKey();
    const forged = v2SignatureHeaders('GET', V2B.target, Buffer.alloc(0), TEST_PUB_HEX, other.privateKey, CREATED);
    const h = { contentDigest: forged['content-digest'], signatureInput: forged['signature-input'], signature: forged.signature };
    expect(verifier().verifyV2('GET', V2B.target, h, Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'bad-signature' });
    const own = v2SignatureHeaders('GET', V2B.target, Buffer.alloc(0), other.publicKeyHex, other.privateKey, CREATED);
    const h2 = { contentDigest: own['content-digest'], signatureInput: own['signature-input'], signature: own.signature };
    expect(verifier().verifyV2('GET', V2B.target, h2, Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'unknown-key' });
  });

  it('insists on the exact components, label and algorithm', () => {
    const v = verifier();
    const swap = (input: string) => ({ ...V2B.headers, signatureInput: input });
    expect(v.verifyV2('GET', V2B.target, swap(SIG_INPUT.replace(' "content-digest"', '')), Buffer.alloc(0))).toMatchObject({
      reason: 'bad-components',
    });
    expect(v.verifyV2('GET', V2B.target, swap(SIG_INPUT.replace('encord-sig=', 'sig1=')), Buffer.alloc(0))).toMatchObject({
      reason: 'malformed',
    });
    expect(v.verifyV2('GET', V2B.target, swap(SIG_INPUT.replace('"ed25519"', '"rsa-pss-sha512"')), Buffer.alloc(0))).toMatchObject({
      reason: 'bad-algorithm',
    });
    expect(v.verifyV2('GET', V2B.target, { contentDigest: EMPTY_DIGEST }, Buffer.alloc(0))).toMatchObject({ reason: 'missing' });
  });

  it('rebuilds the base with the params string as received', () => {
    // Same parameters in another order are signed over that order and still verify.
    const key = testPrivateKey();
    const params = `("@method" "@request-target" "content-digest");keyid="${TEST_PUB_HEX}";alg="ed25519";created=${CREATED}`;
    const base = [
      '"@method": GET',
      `"@request-target": ${V2B.target}`,
      `"content-digest": ${EMPTY_DIGEST}`,
      `"@signature-params": ${params}`,
    ].join('\n');
    const sig = sign(null, Buffer.from(base), key).toString('base64');
    const h = { contentDigest: EMPTY_DIGEST, signatureInput: `encord-sig=${params}`, signature: `encord-sig=:${sig}:` };
    expect(verifier().verifyV2('GET', V2B.target, h, Buffer.alloc(0)).ok).toBe(true);
    expect(signatureParams(CREATED, TEST_PUB_HEX)).toBe(SIG_INPUT.slice('encord-sig='.length));
  });
});

describe('bearer tokens', () => {
  it('accepts issued tokens on both families until they expire', () => {
    let now = CREATED * 1000;
    const v = new AuthVerifier({ clock: () => now, maxAgeSeconds: () => 600, maxFutureSeconds: () => 60, tokenTtlSeconds: 10 });
    v.authorize(SPEC_TEST_PUBLIC_KEY);
    const { token } = v.issueToken(TEST_PUB_HEX);
    expect(v.verifyV1(`Bearer ${token}`, Buffer.from('{}'))).toMatchObject({ ok: true, scheme: 'bearer', keyId: TEST_PUB_HEX });
    expect(v.verifyV2('GET', '/v2/public/x', { authorization: `Bearer ${token}` }, Buffer.alloc(0)).ok).toBe(true);
    expect(v.verifyV1('Bearer nope', Buffer.from('{}'))).toMatchObject({ ok: false, reason: 'unknown-token' });
    now += 11_000;
    expect(v.verifyV1(`Bearer ${token}`, Buffer.from('{}'))).toMatchObject({ ok: false, reason: 'expired-token' });
  });
});

describe('public keys (protocol/public-key.ts)', () => {
  it('parses the OpenSSH line and the hex form of the published TEST-ONLY key', () => {
    const pubLine = readFileSync(new URL('../fixtures/keys/test-key.pub', import.meta.url), 'utf8');
    const k = parsePublicKey(pubLine);
    expect(k.publicKeyHex).toBe(TEST_PUB_HEX);
    expect(k.comment).toBe('encord-emulator-test-key');
    expect(parsePublicKey(TEST_PUB_HEX.toUpperCase()).publicKeyHex).toBe(TEST_PUB_HEX);
    expect(parsePublicKeys(`# keys\n\n${pubLine}\n${otherKey().opensshLine}\n`)).toHaveLength(2);
  });

  it('names what is wrong', () => {
    expect(() => parsePublicKey('ssh-rsa AAAAB3NzaC1yc2E= me')).toThrow(/only Ed25519/);
    expect(() => parsePublicKey('ssh-ed25519 !!!')).toThrow(/base64/);
    expect(() => parsePublicKey('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5')).toThrow(/truncated/);
    expect(() => parsePublicKeys('# nothing\n', 'keys.pub')).toThrow(/keys.pub: no public key/);
  });
});
