/**
 * The one module that imports `yaml`. Schema files may be YAML; everything else in the schema layer sees
 * plain JS values.
 */
import { parseDocument, stringify } from 'yaml';

/** Parse YAML text to a JS value; `{ ok: false }` carries the first error, with line and column. */
export function parseYamlText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const pos = error.linePos?.[0];
    const where = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`;
    const first = error.message.split('\n')[0] ?? error.message;
    return { ok: false, message: `${first.replace(/ at line \d+, column \d+:?$/, '')}${where}` };
  }
  return { ok: true, value: doc.toJS() };
}

/** Render a JS value as YAML. */
export function stringifyYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}
