#!/usr/bin/env node
/** The bin: wires the real process to `runCli` and installs the only signal handlers. */
import { runCli } from './run-cli.js';
import { tuneHeap } from './heap-tuning.js';

tuneHeap();
const controller = new AbortController();
let signals = 0;
const onSignal = (name: NodeJS.Signals): void => {
  signals += 1;
  if (signals > 1) {
    process.stderr.write(`encord-meta: second ${name}, exiting now\n`);
    process.exit(130);
  }
  process.stderr.write(`encord-meta: ${name} received, finishing in-flight work and flushing reports (again to force)\n`);
  controller.abort(new Error(name));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// `encord-meta list | head`: the reader went away. Stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const prompt = process.stdin.isTTY
  ? async (question: string): Promise<string> => {
      // Loaded when a command asks, not at start-up: most runs never prompt.
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    }
  : undefined;

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  prompt,
  stdin: process.stdin,
});
process.exitCode = code;
// Let open handles (none expected) not keep a cron job alive.
setTimeout(() => process.exit(code), 2000).unref();
