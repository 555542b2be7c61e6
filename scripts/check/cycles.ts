/**
 * Fails (exit 1) when `src/` has an import cycle, between files or between folders (layers).
 *
 *   npx tsx scripts/check/cycles.ts
 *
 * Run by `.ci/run`. Type-only imports count too: a cycle of types still ties two modules' designs
 * together, and `import type` is erased only by the compiler, not by the reader. Written by hand (a
 * regex over import/export-from lines and Tarjan's algorithm) because the two dozen lines cost less than
 * a dependency such as madge with its own parser stack.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../../src/', import.meta.url)));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Relative imports of a file, as absolute `.ts` paths; dynamic imports (lazy loading) do not count. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(DYNAMIC, '');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Strongly connected components with more than one node (or a self-loop): the cycles. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      on.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || graph.get(v)?.has(v)) out.push(scc.sort());
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const fileGraph = new Map<string, Set<string>>();
const folderGraph = new Map<string, Set<string>>();
/** A file's folder under src/ (`encord/protocol`, `cli/commands`…); files directly in src/ are the root. */
const folderOf = (file: string): string => relative(ROOT, dirname(file)) || '.';
for (const file of files(ROOT)) {
  const from = relative(ROOT, file);
  const deps = importsOf(file).map((d) => relative(ROOT, d));
  fileGraph.set(from, new Set(deps));
  const folder = folderOf(file);
  const set = folderGraph.get(folder) ?? new Set<string>();
  for (const d of importsOf(file)) {
    const other = folderOf(d);
    // A folder may use its subfolders and the root modules (errors, own…); the root is shared by all.
    if (other !== folder && other !== '.' && !other.startsWith(`${folder}/`)) set.add(other);
  }
  folderGraph.set(folder, set);
}

const problems = [
  ...cycles(fileGraph).map((c) => `file cycle: ${c.join(' ⇄ ')}`),
  ...cycles(folderGraph).map((c) => `folder cycle: ${c.join(' ⇄ ')}`),
];
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n${problems.length} import cycle(s) in src/\n`);
  process.exit(1);
}
process.stdout.write(`no import cycles among ${fileGraph.size} files in ${folderGraph.size} folders\n`);
