/**
 * This package's own files (package.json, samples/), found from wherever its code runs: `src/` under tsx,
 * `dist/` as compiled, or the bundled bin's chunks in `dist/cli/`. A fixed `../../` from `import.meta.url`
 * holds for only one of those layouts, so this walks up to the folder whose package.json is this package's.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'encord-meta';

interface PackageJson {
  readonly name?: unknown;
  readonly version?: unknown;
}

function find(): { readonly dir: string; readonly pkg: PackageJson } | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      if (pkg.name === NAME) return { dir, pkg };
    } catch {
      // no package.json here, or not ours: go up
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

let found: ReturnType<typeof find> | null = null;
function root(): ReturnType<typeof find> {
  if (found === null) found = find();
  return found;
}

/** The folder holding this package's package.json (the current directory if none is found). */
export function packageDir(): string {
  return root()?.dir ?? process.cwd();
}

/** This package's version, or `0.0.0` if its package.json cannot be read. */
export function packageVersion(): string {
  const version = root()?.pkg.version;
  return typeof version === 'string' && version !== '' ? version : '0.0.0';
}
