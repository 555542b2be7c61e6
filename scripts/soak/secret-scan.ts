/**
 * The soak's secret scan: known secrets (key body, seed, passphrase, issued tokens, signatures sent) and
 * anything shaped like a v1 signature, an unredacted v2 signature or an unredacted bearer token.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const V1_SIGNATURE = /[0-9a-f]{64}:[0-9a-f]{128}/i;
const V2_SIGNATURE = /encord-sig=:(?!\[REDACTED\])[A-Za-z0-9+/]{40,}={0,2}:/;
const BEARER = /Bearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/-]{16,}/;

/** Every needle or signature-shaped text in `text`, described without repeating the secret. */
export function findSecrets(text: string, needles: readonly string[]): string[] {
  const hits: string[] = [];
  for (const n of needles) if (n.length >= 8 && text.includes(n)) hits.push(`a known secret (${n.length} chars) at offset ${text.indexOf(n)}`);
  for (const [name, re] of [['v1 signature', V1_SIGNATURE], ['v2 signature', V2_SIGNATURE], ['bearer token', BEARER]] as const) {
    const m = re.exec(text);
    if (m) hits.push(`${name} at offset ${m.index}`);
  }
  return hits;
}

/** Scan files (recursively for directories) line by line, so a multi-GB request log is fine. */
export async function scanForSecrets(paths: readonly string[], needles: readonly string[]): Promise<{ hits: string[]; files: number; bytes: number }> {
  const hits: string[] = [];
  let files = 0;
  let bytes = 0;
  const walk = (p: string): string[] => {
    try {
      const s = statSync(p);
      if (s.isDirectory()) return readdirSync(p).flatMap((e) => walk(join(p, e)));
      return s.isFile() ? [p] : [];
    } catch {
      return [];
    }
  };
  for (const file of paths.flatMap(walk)) {
    files += 1;
    bytes += statSync(file).size;
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n += 1;
      for (const hit of findSecrets(line, needles)) hits.push(`${file}:${n}: ${hit}`);
    }
  }
  return { hits, files, bytes };
}
