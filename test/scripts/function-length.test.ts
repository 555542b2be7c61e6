import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { longFunctions } from '../../scripts/check/function-length.js';
import { makeTempDir } from '../temp-dirs.js';

const dir = makeTempDir('function-length-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const statements = (n: number, indent = '  '): string => Array.from({ length: n }, (_, i) => `${indent}x += ${i};`).join('\n');

describe('longFunctions', () => {
  it('counts body lines from brace to brace, and flags only past the limit', () => {
    // 3 statements + `let` + `return` + the two brace lines = 7.
    const path = file('a.ts', `export function f(): number {\n  let x = 0;\n${statements(3)}\n  return x;\n}\n`);
    expect(longFunctions(path, 7)).toEqual([]);
    expect(longFunctions(path, 6)).toEqual([expect.objectContaining({ line: 1, lines: 7 })]);
    expect(longFunctions(path, 6)[0]!.id).toMatch(/a\.ts#f$/);
  });

  it('does not count blank lines or comment-only lines, but counts a // inside a template literal', () => {
    const text = [
      'function g(): string {',
      '  // a why-comment',
      '',
      '  /* a block',
      '     comment */',
      '  const s = `',
      '// not a comment',
      '`;',
      '  return s;',
      '}',
    ].join('\n');
    // Counted: the two braces, `const s = \``, the template's middle line, its closing line, `return s;`.
    expect(longFunctions(file('b.ts', text), 0)).toEqual([expect.objectContaining({ lines: 6 })]);
  });

  it('counts a nested function for its parent too, and names methods and callbacks', () => {
    const text = [
      'class Box {',
      '  run(): void {',
      '    const inner = (): void => {',
      statements(4, '      '),
      '    };',
      '    [1].forEach(() => {',
      statements(4, '      '),
      '    });',
      '  }',
      '}',
    ].join('\n');
    const found = longFunctions(file('c.ts', text), 5);
    expect(found.map((f) => [f.id.replace(/.*#/, ''), f.lines])).toEqual([
      ['Box.run', 14],
      ['inner', 6],
      ['<forEach callback@9>', 6],
    ]);
  });
});
