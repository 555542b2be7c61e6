#!/usr/bin/env node
/**
 * Runs the built CLI (`dist/cli/run-cli.js`, exactly what `dist/cli/main.js` runs) in this process and
 * records what a benchmark needs and the CLI does not print:
 *
 *   - peak RSS of this process (`process.resourceUsage().maxRSS`, kB), so the figure is the importer's alone;
 *   - when each import phase began (listing, planning, writing, done), read from the progress line, which
 *     this probe receives as a fake terminal so it is redrawn every 200 ms and on every phase change.
 *
 * Usage: node scripts/bench/lib/cli-probe.mjs <encord-meta args...>
 * Env:   BENCH_PROBE_OUT=<file>  where the JSON record goes (written at exit)
 *        ENCORD_META_DIST=<dir>  the built tree to run (default: <repo>/dist)
 * Signals behave like the real bin: SIGINT/SIGTERM abort the run (the import finishes in-flight work).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const started = performance.now();
const dist = process.env.ENCORD_META_DIST ?? fileURLToPath(new URL('../../../dist', import.meta.url));
const { runCli } = await import(pathToFileURL(join(dist, 'cli', 'run-cli.js')).href);
// What main.js does before running (heap growth, cli/heap-tuning.ts), when the tree under test has it.
try {
  const { tuneHeap } = await import(pathToFileURL(join(dist, 'cli', 'heap-tuning.js')).href);
  tuneHeap();
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}

const phases = {};
/** process.memoryUsage() in MB when each phase began: where the memory goes, for the write-up. */
const memory = {};
let lastPhase;
const mem = () => Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 2 ** 20)]));
const stderr = {
  isTTY: true,
  columns: 200,
  write(text) {
    // Progress redraws start with \r; everything else is passed through.
    if (text.startsWith('\r')) {
      const phase = /^\r(\w+)/.exec(text)?.[1];
      if (phase !== undefined && phase !== lastPhase) {
        lastPhase = phase;
        phases[phase] ??= Math.round(performance.now() - started);
        memory[phase] ??= mem();
      }
      return true;
    }
    if (text === '\r\x1b[2K') return true;
    return process.stderr.write(text);
  },
};

const controller = new AbortController();
const onSignal = (name) => controller.abort(new Error(name));
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
  stdin: process.stdin,
});
const wallMs = Math.round(performance.now() - started);
phases.end ??= wallMs;
memory.end = mem();
const out = process.env.BENCH_PROBE_OUT;
if (out) writeFileSync(out, JSON.stringify({ code, wallMs, maxRssKb: process.resourceUsage().maxRSS, phases, memory }));
process.exitCode = code;
setTimeout(() => process.exit(code), 2000).unref();
