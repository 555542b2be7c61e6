/**
 * What a command may touch of the outside world. `main.ts` wires the real process; tests pass buffers,
 * so every command runs in-process with `runCli(argv, io)`.
 */
export interface OutputStream {
  write(text: string): unknown;
  /** True when a person is watching (progress bars); false under cron or in a pipe. */
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM (installed by main.ts only). */
  readonly signal?: AbortSignal | undefined;
  /** Standard input, for `import -` (a file piped in). */
  readonly stdin?: AsyncIterable<Uint8Array | string> | undefined;
  /** Reads a line from the user for confirmations; absent when stdin is not a terminal. */
  readonly prompt?: ((question: string) => Promise<string>) | undefined;
}

/** A CliIo that records everything, for tests and for embedding. */
export function bufferIo(
  overrides: Partial<Omit<CliIo, 'stdout' | 'stderr'>> = {},
): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t), isTTY: false },
    stderr: { write: (t: string) => (err += t), isTTY: false },
    env: overrides.env ?? {},
    cwd: overrides.cwd ?? process.cwd(),
    signal: overrides.signal,
    prompt: overrides.prompt,
    stdin: overrides.stdin,
    out: () => out,
    err: () => err,
  };
}
