/**
 * Where the credentials come from, in the SDK's precedence (protocol §2.1): the key text argument, then the key
 * path argument, then — only if neither was given — `ENCORD_SSH_KEY_FILE` (a path, `~` expanded) over
 * `ENCORD_SSH_KEY` (the key text). A bearer token is the alternative to a key.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { BearerTokenAuth, SshKeyAuth, type EncordAuth } from './auth.js';
import { EncordConfigError } from './errors.js';
import { parseOpenSshPrivateKey, readSshKeyFile } from './keys.js';

export const ENV_SSH_KEY_FILE = 'ENCORD_SSH_KEY_FILE';
export const ENV_SSH_KEY = 'ENCORD_SSH_KEY';

type Env = Readonly<Record<string, string | undefined>>;

/** The key to load, and which setting named it. */
export type KeySource =
  | { readonly kind: 'text'; readonly text: string; readonly origin: 'argument' | typeof ENV_SSH_KEY }
  | { readonly kind: 'file'; readonly path: string; readonly origin: 'argument' | typeof ENV_SSH_KEY_FILE };

/** Expand a leading `~` (or `~/…`) with `HOME` (or the OS home directory) and make the path absolute. */
export function expandPath(path: string, env: Env = process.env): string {
  let p = path;
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) {
    const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir();
    p = p === '~' ? home : join(home, p.slice(2));
  }
  return isAbsolute(p) ? p : resolve(p);
}

/**
 * Pick the key source by the SDK's precedence. Returns `undefined` when nothing is configured. Throws for
 * `ENCORD_SSH_KEY` set but empty (the SDK fails there too rather than silently falling through).
 */
export function resolveKeySource(input: {
  readonly sshKeyPath?: string | undefined;
  readonly sshKeyText?: string | undefined;
  readonly env?: Env | undefined;
}): KeySource | undefined {
  const env = input.env ?? process.env;
  if (input.sshKeyText !== undefined && input.sshKeyText.trim() !== '') {
    return { kind: 'text', text: input.sshKeyText, origin: 'argument' };
  }
  if (input.sshKeyPath !== undefined && input.sshKeyPath.trim() !== '') {
    return { kind: 'file', path: expandPath(input.sshKeyPath.trim(), env), origin: 'argument' };
  }
  const file = env[ENV_SSH_KEY_FILE];
  if (file !== undefined && file.trim() !== '') {
    return { kind: 'file', path: expandPath(file.trim(), env), origin: ENV_SSH_KEY_FILE };
  }
  const text = env[ENV_SSH_KEY];
  if (text !== undefined) {
    if (text.trim() === '') {
      throw new EncordConfigError('CREDENTIALS_MISSING', `${ENV_SSH_KEY} is set but empty; set it to the private key text`);
    }
    return { kind: 'text', text, origin: ENV_SSH_KEY };
  }
  return undefined;
}

export interface CredentialsInput {
  /** Path of an OpenSSH Ed25519 private key (`~` expanded). */
  readonly sshKeyPath?: string | undefined;
  /** The private key text itself. Wins over `sshKeyPath`, like the SDK's `ssh_private_key` argument. */
  readonly sshKeyText?: string | undefined;
  /** Passphrase of an encrypted key; `""` means none. */
  readonly passphrase?: string | undefined;
  /** A bearer token (from `GET user/bearer-token`) instead of a key. Conflicts with an explicit key. */
  readonly bearerToken?: string | undefined;
  /** Environment to read `ENCORD_SSH_KEY_FILE` / `ENCORD_SSH_KEY` / `HOME` from. @default process.env */
  readonly env?: Env | undefined;
}

export interface LoadedCredentials {
  readonly auth: EncordAuth;
  /** Non-fatal findings (e.g. a key file readable by others), for the caller to show. */
  readonly warnings: readonly string[];
  /** Which setting supplied the credentials, safe to print (e.g. `ENCORD_SSH_KEY_FILE (/home/u/.ssh/enc)`). */
  readonly source: string;
}

/** Resolve and load credentials: the one entry point the CLI needs. Never prints. */
export async function loadCredentials(input: CredentialsInput): Promise<LoadedCredentials> {
  const explicitKey =
    (input.sshKeyText !== undefined && input.sshKeyText.trim() !== '') ||
    (input.sshKeyPath !== undefined && input.sshKeyPath.trim() !== '');
  if (input.bearerToken !== undefined && input.bearerToken.trim() !== '') {
    if (explicitKey) {
      throw new EncordConfigError('CREDENTIALS_CONFLICT', 'Give either an SSH key or a bearer token, not both');
    }
    if (input.passphrase !== undefined && input.passphrase !== '') {
      throw new EncordConfigError('CREDENTIALS_CONFLICT', 'A passphrase was given together with a bearer token; a token has no passphrase');
    }
    return { auth: new BearerTokenAuth(input.bearerToken), warnings: [], source: 'bearer token' };
  }
  const source = resolveKeySource(input);
  if (source === undefined) {
    throw new EncordConfigError(
      'CREDENTIALS_MISSING',
      `No Encord credentials: give an SSH key path or a bearer token, or set ${ENV_SSH_KEY_FILE} (a key file path) ` +
        `or ${ENV_SSH_KEY} (the key text)`,
    );
  }
  if (source.kind === 'file') {
    const origin = source.origin === 'argument' ? undefined : source.origin;
    const { key, warnings } = await readSshKeyFile(source.path, input.passphrase, origin);
    const label = source.origin === 'argument' ? `file ${source.path}` : `${source.origin} (${source.path})`;
    return { auth: new SshKeyAuth(key), warnings, source: label };
  }
  const label = source.origin === 'argument' ? 'key text argument' : ENV_SSH_KEY;
  const key = parseOpenSshPrivateKey(source.text, input.passphrase, label);
  return { auth: new SshKeyAuth(key), warnings: [], source: label };
}
