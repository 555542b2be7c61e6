/**
 * Fails (exit 1) when a function in `src/` has a body longer than {@link LIMIT} lines; `--report` lists the
 * offenders and exits 0 (for a branch that still has some to split).
 *
 *   npx tsx scripts/check/function-length.ts [--report]
 *
 * What counts: every function declaration, method, constructor, accessor, function expression and arrow
 * function with a block body, from its opening `{` to its closing `}`. Blank lines and lines holding only
 * comments do not count: a why-comment is what the house asks for, and must not push a function over. A
 * nested function's lines count for its parent too, since a reader has to scroll past them: the long
 * `handle` closure inside `startEmulator` was exactly that problem.
 *
 * Uses the TypeScript compiler API (a devDependency already) to find functions and comment-free lines, so a
 * `//` inside a string or template literal is code, and a JSDoc block is not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const LIMIT = 80;
const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const SRC = join(REPO, 'src');

/**
 * Hand-written tokenizers: one loop over characters with a state per branch, where splitting the loop
 * would scatter one state machine over several functions and cost a call per character on the hot path.
 * Named by function (`file#name`, as printed by this script), so a new long function in the same file is
 * still caught.
 */
const ALLOWED: ReadonlyMap<string, string> = new Map([
  // The RFC 4180 record scanner over raw bytes: BOM, quoted fields, doubled quotes, CR/LF/CRLF, record and
  // field limits, one pass per chunk.
  ['src/sources/csv/csv-records.ts#CsvRecordSplitter.parse', 'CSV record tokenizer'],
  // The xlsx XML tokenizer (src/sources/xlsx/xml.ts, XmlTokenizer.drain) is under the limit, so it is not
  // listed: an entry that matches nothing fails the check, so the list cannot rot.
]);

export interface LongFunction {
  /** `src/…/file.ts#name`, the key {@link ALLOWED} uses. */
  readonly id: string;
  /** 1-based line of the function's start. */
  readonly line: number;
  /** Counted lines of the body (no blank or comment-only lines). */
  readonly lines: number;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** 0-based lines that hold at least one token: not blank, not only comments. */
function codeLines(source: ts.SourceFile): Set<number> {
  const lines = new Set<number>();
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(source);
    if (children.length > 0) {
      children.forEach(visit);
      return;
    }
    if (node.kind === ts.SyntaxKind.EndOfFileToken || node.kind === ts.SyntaxKind.SyntaxList) return;
    // A token can span lines (a template literal): every line it touches is code.
    const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
    const last = source.getLineAndCharacterOfPosition(node.end).line;
    for (let line = first; line <= last; line += 1) lines.add(line);
  };
  visit(source);
  return lines;
}

function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  const own = node.name !== undefined && !ts.isComputedPropertyName(node.name) ? node.name.getText(source) : undefined;
  const parent = node.parent;
  let name = own;
  if (name === undefined && ts.isConstructorDeclaration(node)) name = 'constructor';
  if (name === undefined && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) {
    name = parent.name.getText(source);
  }
  if (name === undefined) {
    // A callback: name it by what it is passed to (`.action(async () => {…})` → `<action callback@55>`).
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const callee = ts.isCallExpression(parent) ? parent.expression : undefined;
    const called = callee === undefined ? undefined : ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
    name = called === undefined ? `<anonymous@${line}>` : `<${called} callback@${line}>`;
  }
  const owner = node.parent;
  if ((ts.isClassDeclaration(owner) || ts.isClassExpression(owner)) && owner.name !== undefined) {
    return `${owner.name.text}.${name}`;
  }
  return name;
}

/** Every function in `file` whose block body counts more than `limit` lines. */
export function longFunctions(file: string, limit = LIMIT): LongFunction[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const code = codeLines(source);
  const rel = relative(REPO, file).split('\\').join('/');
  const out: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined && ts.isBlock(node.body)) {
      const fn = node as ts.FunctionLikeDeclaration;
      const body = node.body;
      const first = source.getLineAndCharacterOfPosition(body.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(body.end).line;
      let lines = 0;
      for (let line = first; line <= last; line += 1) if (code.has(line)) lines += 1;
      if (lines > limit) {
        const line = source.getLineAndCharacterOfPosition(fn.getStart(source)).line + 1;
        out.push({ id: `${rel}#${nameOf(fn, source)}`, line, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function main(argv: readonly string[]): number {
  const reportOnly = argv.includes('--report');
  const unknown = argv.filter((a) => a !== '--report');
  if (unknown.length > 0) {
    process.stderr.write(`Unknown argument ${unknown[0]}; usage: tsx scripts/check/function-length.ts [--report]\n`);
    return 2;
  }
  const found = files(SRC).flatMap((file) => longFunctions(file));
  const offenders = found.filter((f) => !ALLOWED.has(f.id));
  const seen = new Set(found.map((f) => f.id));
  // An allow-list entry that no longer matches (renamed, split) would silently exempt the next function to
  // take its name: say so, and fail like an offender.
  const stale = [...ALLOWED.keys()].filter((id) => !seen.has(id));
  for (const f of offenders) process.stdout.write(`${f.id} (line ${f.line}): ${f.lines} lines > ${LIMIT}\n`);
  for (const id of stale) process.stdout.write(`${id}: on the allow-list but not over ${LIMIT} lines (or gone): remove it\n`);
  const allowed = found.length - offenders.length;
  const bad = offenders.length + stale.length;
  process.stdout.write(
    bad === 0
      ? `function-length: no function over ${LIMIT} lines in src/ (${allowed} allowed tokenizer(s))\n`
      : `function-length: ${offenders.length} function(s) over ${LIMIT} lines, ${stale.length} stale allow-list entr(ies)\n`,
  );
  return bad > 0 && !reportOnly ? 1 : 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
