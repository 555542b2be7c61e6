/**
 * Start-up cost is what `encord-meta --version` and `encord-meta import --help` load before they print
 * (the target: at most 3× bare `node -e 0`; `npx tsx scripts/bench/startup.ts`). Timing is no test, so
 * this one reads the static import graph instead: what those two command lines load, followed from
 * `src/cli/main.ts` through every import that is not `import type` (erased) or `import()` (lazy), must not
 * reach the heavy modules, which only an action needs. One stray static import of `key-resolver.js` from
 * `cli/options.ts` once pulled the dataset index, the schema tools, zod and yaml into `import --help`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(fileURLToPath(new URL('../../src/', import.meta.url)));

/** Static, runtime imports of a module: `import type` / `export type` are erased, `import()` is lazy. */
const STATIC = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Every module (`src/…` paths and package names) loaded by importing `entries`. */
function loadedBy(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((e) => join(SRC, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    const name = relative(SRC, file);
    if (seen.has(name)) continue;
    seen.add(name);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else seen.add(spec);
    }
  }
  return seen;
}

/** What only a run needs: the pipeline, the Encord client, the schema tools, the readers, their libraries. */
const HEAVY = [
  /^zod$/,
  /^yaml$/,
  /^undici$/,
  /^p-queue$/,
  /^p-retry$/,
  /^@duckdb\//,
  /^node:crypto$/,
  /^node:readline/,
  /^schema\//,
  /^encord\/(?!protocol\/limits\.ts$)/,
  /^pipeline\/(?!option-sets\.ts$|shard-spec\.ts$)/,
  /^mapping\/(?!mapping-options\.ts$)/,
  /^sources\/(?!sniff\.ts$|csv\/decode\.ts$)/,
  /^checkpoint\//,
  /^emulator\//,
];

function heavyIn(modules: Set<string>): string[] {
  return [...modules].filter((m) => HEAVY.some((h) => h.test(m))).sort();
}

describe('start-up loads only what it prints', () => {
  it('the walker sees through re-exports and skips type-only and lazy imports', () => {
    const run = loadedBy(['pipeline/run-import.ts']);
    expect(run.has('zod')).toBe(true);
    const commands = loadedBy(['cli/commands/index.ts']);
    expect(commands.has('cli/commands/import.ts')).toBe(false); // loaded with import(), on demand
  });

  it('`--version` loads the root program alone', () => {
    expect(heavyIn(loadedBy(['cli/main.ts']))).toEqual([]);
  });

  it('`import --help` loads its flags and the small option tables, not the run', () => {
    expect(heavyIn(loadedBy(['cli/main.ts', 'cli/commands/import.ts']))).toEqual([]);
  });
});
