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
export interface BufferIo extends CliIo {
  out(): string;
  err(): string;
  /**
   * Resolves with the text written so far once `ready(text)` holds for that stream: waiting on the writes
   * themselves, not on a clock. Never resolves if it never holds; race it with the command's own promise.
   */
  until(stream: 'out' | 'err', ready: (text: string) => boolean): Promise<string>;
}

export function bufferIo(overrides: Partial<Omit<CliIo, 'stdout' | 'stderr'>> = {}): BufferIo {
  const text = { out: '', err: '' };
  const waiters: Array<{ stream: 'out' | 'err'; ready: (text: string) => boolean; resolve: (text: string) => void }> = [];
  const wrote = (stream: 'out' | 'err', t: string): void => {
    text[stream] += t;
    for (let i = waiters.length - 1; i >= 0; i -= 1) {
      const w = waiters[i]!;
      if (w.stream !== stream || !w.ready(text[stream])) continue;
      waiters.splice(i, 1);
      w.resolve(text[stream]);
    }
  };
  return {
    stdout: { write: (t: string) => wrote('out', t), isTTY: false },
    stderr: { write: (t: string) => wrote('err', t), isTTY: false },
    env: overrides.env ?? {},
    cwd: overrides.cwd ?? process.cwd(),
    signal: overrides.signal,
    prompt: overrides.prompt,
    stdin: overrides.stdin,
    out: () => text.out,
    err: () => text.err,
    until: (stream, ready) =>
      ready(text[stream]) ? Promise.resolve(text[stream]) : new Promise((resolve) => waiters.push({ stream, ready, resolve })),
  };
}
