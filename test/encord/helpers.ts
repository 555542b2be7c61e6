/** Shared fixtures of the encord client tests: the spec's TEST-ONLY keys, a fake clock, a loopback server. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../temp-dirs.js';

const keysDir = fileURLToPath(new URL('../fixtures/keys/', import.meta.url));
export const KEY_PASSPHRASE_PATH = `${keysDir}test-key-passphrase`;
export const PUB_PATH = `${keysDir}test-key.pub`;
export const TEST_KEY = readFileSync(`${keysDir}test-key`, 'utf8');
/** A 0600 copy of the TEST-ONLY key: a key file readable by others is refused (the committed one is 0644). */
export const KEY_PATH = join(makeTempDir('encord-test-key-'), 'test-key');
writeFileSync(KEY_PATH, TEST_KEY, { mode: 0o600 });
export const TEST_KEY_PASSPHRASE = readFileSync(KEY_PASSPHRASE_PATH, 'utf8');
export const TEST_PUB = readFileSync(PUB_PATH, 'utf8').trim();
export const PASSPHRASE = 'correct horse battery staple';
export const PUBLIC_KEY_HEX = '1e982bba926e94e4fb141458328f6b2c432bd9ff017976a4218d4fc3b9b88d00';
export const SEED_HEX = '8a78632b3b2adb90db3546930c4f915c081e3996b15721e6c57407348a3c10cb';

/**
 * The same TEST-ONLY key re-encrypted by `ssh-keygen -p -a 2 -Z <cipher>` with passphrase `pass phrase`
 * (2 bcrypt rounds keep the tests fast).
 */
export const CIPHER_KEYS: Readonly<Record<string, string>> = {
  'aes128-ctr': `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczEyOC1jdHIAAAAGYmNyeXB0AAAAGAAAABAO1dmqtY
s5P2R/cmtNhEpyAAAAAgAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIB6YK7qSbpTk+xQU
WDKPayxDK9n/AXl2pCGNT8O5uI0AAAAAoMmmKj8XDFntrURrUtHv9KSaayfkmeKp9RwSjn
twLYXE719F2rBRuvCHoUBKdC5PaocjDYBpFXh1PqmTm8+wbV7ZHQZnEbKc9ecJ1FtvOQsX
0htHyUd7qaxuJcGSS6IGAkHX0PqzoyJ3aIe8hgtIECQVUkjsKzHSw7Hlj/XGJ0KOlwVajb
eogUts547R4dENATLZU0wBvezB24kXWPjTP8w=
-----END OPENSSH PRIVATE KEY-----
`,
  'aes256-cbc': `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jYmMAAAAGYmNyeXB0AAAAGAAAABDvxNZSca
drJnVxzKhZlwXEAAAAAgAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIB6YK7qSbpTk+xQU
WDKPayxDK9n/AXl2pCGNT8O5uI0AAAAAoH2Yr5smXXG6hlKYpqjIrE/87O/nY49Jm7rUW5
ClJTBIzVopcqq6f76DdtMKl0Q0irmSUb7vcueU5Tln+pdQhLMpTREVihIA4Ake5GtmkKTX
kN5KLR6n/peyUq96mGKb7Oal8hzoBxOCSF43Zy2SIGQ6eOAUFV5zD+ZrocjyEraso7dBEo
6Xr3Lp/wf+bKJsfxyV9Z4pZjOQDkT7qQwi3oE=
-----END OPENSSH PRIVATE KEY-----
`,
  'aes256-gcm@openssh.com': `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAAFmFlczI1Ni1nY21Ab3BlbnNzaC5jb20AAAAGYmNyeXB0AA
AAGAAAABDqIDG2vC2y1CT2LXhHW31QAAAAAgAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAA
IB6YK7qSbpTk+xQUWDKPayxDK9n/AXl2pCGNT8O5uI0AAAAAoGc+QdOs7jQgWiwCmub+Gb
7WxlZMcCgbJpGGe/xH5i8wR8Im9QpVz39kSekHFiT1QAuDm75VI62HMFJzYcB0eK2xcsNs
LehY2yoiTN2/oMuRP2qvqjsQ3feJoDB4wGn9zvVov42XcYLGvartlIJugAn+lGscD953A1
krTood6H/MxDnb3GNVQmVAdR5O+V4/CIDrl8f4pAuxwxalFYy9UQzNhkgSzDZjUMCr7L1G
4CKA
-----END OPENSSH PRIVATE KEY-----
`,
  'chacha20-poly1305@openssh.com': `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAAHWNoYWNoYTIwLXBvbHkxMzA1QG9wZW5zc2guY29tAAAABm
JjcnlwdAAAABgAAAAQNSRhGUDJunb7nwQRo80E3QAAAAIAAAABAAAAMwAAAAtzc2gtZWQy
NTUxOQAAACAemCu6km6U5PsUFFgyj2ssQyvZ/wF5dqQhjU/DubiNAAAAAKCJ8Zc9CcOIj+
P/xSY+PuUXnBf5qa1imOdzkbvX0URBDmjL+AXRneI8v/T23hZJpMmUQsCGmT15fLOJaMzF
+hRumTzlMst66OSgCvVDoJKvB/VqLwdOi0qXlc2ctr6KmYjqtnjEQNCnJ5D+PlDy9eRAB5
/fOShgtkzLGFCtyrklMTf/BTUMC6iN7gCH6yQSestKxGQUBfGu2KQdYGgoqHhhtfP7SSUg
KNej84m/ES1Otw==
-----END OPENSSH PRIVATE KEY-----
`,
};
export const CIPHER_PASSPHRASE = 'pass phrase';

/** A throwaway TEST-ONLY ECDSA key (`ssh-keygen -t ecdsa -N ''`), for the "not Ed25519" error. */
export const ECDSA_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS
1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQTfJIzAr2kjCbrdKd7N+SPhwSB0Nvor
1ZPP8k4zLyTmN/T6c/Plhuid76fjiYQE5F7DR+VSiU+MUMg36+TCSciNAAAAqBeXU/cXl1
P3AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBN8kjMCvaSMJut0p
3s35I+HBIHQ2+ivVk8/yTjMvJOY39Ppz8+WG6J3vp+OJhATkXsNH5VKJT4xQyDfr5MJJyI
0AAAAgEaEFW2fl+Ikt7sL33+9FeHrEFnaEj/xmTQNA0XVnWzEAAAALbm90LWVkMjU1MTkB
AgMEBQ==
-----END OPENSSH PRIVATE KEY-----
`;

/** A clock that only moves when the code under test sleeps. */
export function fakeTime(start = 1_700_000_030_000): {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  sleeps: number[];
  /** Clock time each sleep was meant to end at. */
  wakes: number[];
  advance: (ms: number) => void;
} {
  let t = start;
  const sleeps: number[] = [];
  const wakes: number[] = [];
  return {
    now: () => t,
    sleeps,
    wakes,
    advance: (ms) => {
      t += ms;
    },
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      wakes.push(t + ms);
      t += ms;
      await Promise.resolve();
      signal?.throwIfAborted();
    },
  };
}

export interface RecordedRequest {
  readonly method: string;
  /** Raw request target as received. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, raw: IncomingMessage) => void;

export interface TestServer {
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Handlers used in order, one per request; the last one repeats. */
  use(...handlers: Handler[]): void;
  close(): Promise<void>;
}

/** A loopback HTTP server on port 0 that records every request. */
export async function startServer(): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  let handlers: Handler[] = [];
  let served = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(rec);
      const h = handlers[Math.min(served, handlers.length - 1)];
      served += 1;
      if (h === undefined) {
        res.writeHead(500).end('no handler');
        return;
      }
      h(rec, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    use: (...hs) => {
      handlers = hs;
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Send a JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  };
}

/** v1 success envelope. */
export const v1ok = (response: unknown): Handler => json(200, { status: 200, response });
/** v1 error envelope. */
export const v1err = (httpStatus: number, code: string, payload?: string): Handler =>
  json(httpStatus, { status: httpStatus === 200 ? 400 : httpStatus, response: [code], ...(payload === undefined ? {} : { payload }) });

/** A storage item as the v2 API returns it (`clientMetadata` is a JSON string). */
export function wireItem(uuid: string, metadata: unknown): Record<string, unknown> {
  return { uuid, parent: 'ffffffff-0000-0000-0000-000000000001', itemType: 'image', name: `n-${uuid}`, clientMetadata: JSON.stringify(metadata), backedDataUnitsCount: 1 };
}

/** A v1 DataRow with every required key. */
export function wireRow(dataHash: string, title: string, metadata: unknown, backing: string | null = null): Record<string, unknown> {
  return {
    data_hash: dataHash,
    data_title: title,
    data_type: 'IMAGE',
    created_at: '2022-01-05 18:51:05',
    last_edited_at: '2022-01-05 18:51:05',
    width: 10,
    height: 10,
    file_link: null,
    file_size: null,
    file_type: 'image/png',
    storage_location: 0,
    frames_per_second: null,
    duration: null,
    client_metadata: metadata,
    backing_item_uuid: backing,
  };
}
