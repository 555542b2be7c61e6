/**
 * Test helpers for the emulator: the published TEST-ONLY key (protocol §3.1), request signing with the protocol functions
 * (independent of the client), and a small HTTP caller that sends the request-target exactly as given.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  ED25519_PKCS8_PREFIX,
  v1Authorization,
  v2SignatureHeaders,
} from '../../src/encord/protocol/signing.js';

export const TEST_SEED_HEX = '8a78632b3b2adb90db3546930c4f915c081e3996b15721e6c57407348a3c10cb';
export const TEST_PUB_HEX = '1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00';

let testKey: KeyObject | undefined;
/** The TEST-ONLY private key, decoded once (from PKCS#8 DER, independently of the client's JWK import). */
export function testPrivateKey(): KeyObject {
  testKey ??= createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(TEST_SEED_HEX, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
  return testKey;
}

/** A second, unregistered key pair. */
export function otherKey(): { privateKey: KeyObject; publicKeyHex: string; opensshLine: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return { privateKey, publicKeyHex: raw.toString('hex'), opensshLine: `ssh-ed25519 ${blob.toString('base64')} other@test` };
}

/** Every signature and token this process sent with `call` (for the no-secrets-in-logs test). */
export const sentSecrets: string[] = [];

export interface CallResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: any;
}

export const agent = new Agent({ keepAlive: true, maxSockets: 8 });

export interface CallOptions {
  readonly method?: string;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  /** How to authenticate: v1/v2 signature with the test key (default by path), a bearer token, or none. */
  readonly auth?: 'v1' | 'v2' | 'none' | { bearer: string } | { key: KeyObject; keyHex: string };
  /** v2 `created` (seconds). */
  readonly created?: number;
  /** v1 resource headers. */
  readonly dataset?: string;
  /** Give up (destroy the request) after this many ms. */
  readonly timeoutMs?: number;
}

/** Send one request with the request-target exactly as given. */
export function call(baseUrl: string, target: string, options: CallOptions = {}): Promise<CallResult> {
  const url = new URL(baseUrl);
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const isV1 = target.startsWith('/public');
  const method = options.method ?? (isV1 ? 'POST' : 'GET');
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (body.length > 0) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] ??= String(body.length);
  }
  if (isV1) {
    headers['resourcetype'] ??= 'dataset';
    headers['resourceid'] ??= options.dataset ?? '';
  }
  const auth = options.auth ?? (isV1 ? 'v1' : 'v2');
  let key = testPrivateKey();
  let keyHex = TEST_PUB_HEX;
  if (typeof auth === 'object' && 'key' in auth) {
    key = auth.key;
    keyHex = auth.keyHex;
  }
  if (typeof auth === 'object' && 'bearer' in auth) {
    headers['authorization'] = `Bearer ${auth.bearer}`;
    sentSecrets.push(auth.bearer);
  } else if (auth === 'v1' || (typeof auth === 'object' && isV1)) {
    headers['authorization'] = v1Authorization(keyHex, key, body);
    sentSecrets.push(headers['authorization'].split(':')[1]!);
  } else if (auth === 'v2' || typeof auth === 'object') {
    const signed = v2SignatureHeaders(method, target, body, keyHex, key, options.created);
    Object.assign(headers, signed);
    sentSecrets.push(signed.signature.slice('encord-sig=:'.length, -1));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path: target, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let buf = Buffer.concat(chunks);
          if (res.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
          const text = buf.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.timeoutMs !== undefined) req.setTimeout(options.timeoutMs, () => req.destroy(new Error('client timeout')));
    req.end(body);
  });
}

/** v1 querier body in the SDK's exact formatting (`json.dumps` separators). */
export function v1Body(queryType: string, queryMethod: string, uid: unknown, payload: unknown): string {
  return pyJson({ query_type: queryType, query_method: queryMethod, values: { uid, payload } });
}

/** Python `json.dumps` formatting: `", "` and `": "` separators, ASCII only. */
export function pyJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${pyJson(k)}: ${pyJson(v)}`)
    .join(', ')}}`;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Write raw bytes on a fresh TCP connection and read one HTTP/1.1 response. */
export function rawExchange(baseUrl: string, bytes: Buffer | string): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let buf = Buffer.alloc(0);
    const tryParse = (): boolean => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const head = buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(head[0]!.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      let rest = buf.subarray(end + 4);
      let body: Buffer;
      if (headers['content-length'] !== undefined) {
        const n = Number(headers['content-length']);
        if (rest.length < n) return false;
        body = rest.subarray(0, n);
      } else if (headers['transfer-encoding'] === 'chunked') {
        const parts: Buffer[] = [];
        for (;;) {
          const lineEnd = rest.indexOf('\r\n');
          if (lineEnd < 0) return false;
          const size = parseInt(rest.subarray(0, lineEnd).toString(), 16);
          if (rest.length < lineEnd + 2 + size + 2) return false;
          if (size === 0) break;
          parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
          rest = rest.subarray(lineEnd + 2 + size + 2);
        }
        body = Buffer.concat(parts);
      } else {
        return false;
      }
      if (headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      socket.destroy();
      resolve({ status, headers, body: body.toString('utf8') });
      return true;
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      tryParse();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (!tryParse()) reject(new Error(`connection closed before a full response (${buf.length} bytes)`));
    });
    socket.write(bytes);
  });
}
