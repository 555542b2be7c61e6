/**
 * Build the Encord client a command needs from global options, the job config and the environment, and
 * turn the client's events into log lines (`--verbose`) — secret-free by construction.
 */
import type { Command } from 'commander';
import { createEncordClient, type EncordClient } from '../encord/client.js';
import { loadCredentials } from '../encord/key-source.js';
import { MetaError } from '../errors.js';
import type { CommandContext, GlobalOptions } from './context.js';
import { loadJobConfig, type JobConfig } from './job-config.js';

export interface Connection {
  readonly client: EncordClient;
  /** Who we are, safe to print: e.g. `public key ssh-ed25519 AAAA… comment`. */
  readonly identity: string;
  readonly domain: string;
}

/** The job config named by `--config`, or an empty one. */
export function jobConfigOf(ctx: CommandContext, command: Command): JobConfig {
  const path = ctx.globals(command).config;
  return path ? loadJobConfig(path, ctx.io.cwd) : {};
}

export async function connect(
  ctx: CommandContext,
  command: Command,
  extra: { readonly rateLimit?: number | undefined; readonly concurrency?: number | undefined; readonly timeoutMs?: number | undefined } = {},
): Promise<Connection> {
  const g: GlobalOptions = ctx.globals(command);
  const config = jobConfigOf(ctx, command);
  const env = ctx.io.env;
  const envOf = (name: string | undefined, what: string): string | undefined => {
    if (!name) return undefined;
    const value = env[name];
    if (value === undefined) throw new MetaError('USAGE_ENV', `${what}: environment variable ${name} is not set`);
    return value;
  };
  const passphrase = envOf(g.sshKeyPassphraseEnv ?? config.sshKeyPassphraseEnv, '--ssh-key-passphrase-env');
  const bearerToken = envOf(g.bearerTokenEnv ?? config.bearerTokenEnv, '--bearer-token-env');
  const credentials = await loadCredentials({
    sshKeyPath: g.sshKey ?? config.sshKey,
    passphrase,
    bearerToken,
    env,
  });
  for (const warning of credentials.warnings) ctx.info(command, `warning: ${warning}`);
  const domain = g.domain ?? env['ENCORD_DOMAIN'] ?? config.domain;
  const verbose = g.verbose === true;
  const proxy = g.proxy ?? config.proxy;
  const client = createEncordClient({
    auth: credentials.auth,
    domain,
    proxy: proxy === undefined ? undefined : proxy.trim().toLowerCase() === 'none' ? false : proxy,
    env,
    ...((g.unreachableAfter ?? config.unreachableAfterSeconds) !== undefined && { unreachableAfterMs: (g.unreachableAfter ?? config.unreachableAfterSeconds)! * 1000 }),
    ...((g.maxRetryWait ?? config.maxRetryWaitSeconds) !== undefined && { maxRetryAfterMs: (g.maxRetryWait ?? config.maxRetryWaitSeconds)! * 1000 }),
    concurrency: extra.concurrency ?? config.concurrency,
    maxRequestsPerSecond: extra.rateLimit ?? config.rateLimit,
    timeoutMs: extra.timeoutMs ?? config.timeoutMs,
    onEvent: (event) => {
      if (event.type === 'retry' && verbose) {
        ctx.info(command, `retry ${event.retryNumber} of ${event.operation} after ${event.code}${event.status ? ` (HTTP ${event.status})` : ''} in ${event.delayMs} ms [trace ${event.traceId}]`);
      } else if (event.type === 'rate' && (verbose || event.reason === 'rate-limited')) {
        if (verbose) ctx.info(command, `rate ${event.reason}: ${event.previousRate.toFixed(1)} → ${event.rate.toFixed(1)} requests/s (${event.rateClass})`);
      } else if (event.type === 'pause' && verbose) {
        ctx.info(command, `Encord asked to wait ${event.delayMs} ms (Retry-After); pausing all requests`);
      }
    },
  });
  if (verbose) {
    // The proxy's origin only: a user name or password in the URL is never printed.
    const via = client.options.proxy;
    ctx.info(command, via === null ? `connecting to ${client.domain} directly (no proxy)` : `connecting to ${client.domain} through proxy ${via.display} (from ${via.source})`);
  }
  const identity = credentials.auth.kind === 'ssh' ? credentials.auth.identity : 'bearer token';
  return { client, identity, domain: domain ?? 'https://api.encord.com' };
}

/** Add what to do next to errors people hit first. */
export function explain(error: unknown, connection: Connection | undefined): unknown {
  if (!(error instanceof MetaError) || !connection) return error;
  if (error.code === 'SSH_KEY_NOT_FOUND') {
    return new MetaError(error.code, `${error.message}. Register this ${connection.identity} in Encord (Settings → Public keys) and try again.`, { cause: error });
  }
  if (error.code === 'AUTHENTICATION') {
    return new MetaError(error.code, `${error.message}. Check that the key/token is the one registered for ${connection.domain} and that this machine's clock is right.`, { cause: error });
  }
  if (error.code === 'DATASET_NOT_FOUND') {
    return new MetaError(
      error.code,
      `${error.message}. Find the hash with: encord-meta datasets --title-like NAME (and check that the user of ${connection.identity} has access to the dataset). ` +
        `To work on a storage folder's files instead, find its uuid with encord-meta folders and use --folder UUID.`,
      { cause: error },
    );
  }
  if (error.code === 'FOLDER_NOT_FOUND') {
    return new MetaError(error.code, `${error.message}. Find the uuid with: encord-meta folders --search NAME (and check that the user of ${connection.identity} has access to the folder).`, { cause: error });
  }
  return error;
}
