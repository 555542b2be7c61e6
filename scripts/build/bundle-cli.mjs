/**
 * Bundles the bin (`dist/cli/main.js`, compiled by tsc) with its dependencies into `dist/cli/`: the entry in
 * place, the rest as chunks (`dist/cli/bundle-*.js`) that load when a command needs them, as the separate
 * modules did (`--version` and `--help` load almost nothing).
 *
 * Why: a command that talks to Encord loaded ~500 modules from dist/ and node_modules, one file read and
 * resolution each; that cost a third of its CPU before any work (the suite spawns the bin ~16 times).
 * The library (`dist/index.js`) stays as tsc wrote it. DuckDB stays external: it is a native module,
 * loaded only for Parquet.
 *
 * Plain JavaScript so that it runs with no TypeScript loader, right after `tsc`.
 */
import { build } from 'esbuild';
import { chmodSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'dist', 'cli');
for (const f of readdirSync(out)) if (f.startsWith('bundle-')) rmSync(join(out, f));

await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js' },
  outdir: 'dist/cli',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'bundle-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@duckdb/node-api'],
  // CommonJS dependencies (undici, yaml…) call `require` for Node's built-ins.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  legalComments: 'eof',
  logLevel: 'warning',
});
rmSync(join(out, 'main.js.map'), { force: true });
chmodSync(join(out, 'main.js'), 0o755);
