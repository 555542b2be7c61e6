/**
 * Render a schema as JSON or YAML (YAML with `--yaml` or a `.yml`/`.yaml` `--out`) and write it to `--out`
 * when given. Shared by `schema pull` and `schema infer`, whose output is a valid `schema push` input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { formatSchemaDocument, type MetaSchema } from '../schema/index.js';

export function writeSchemaDocument(schema: MetaSchema, flags: { readonly out?: string | undefined; readonly yaml?: boolean | undefined }, cwd: string): { text: string; outPath: string | undefined } {
  const yaml = flags.yaml === true || /\.ya?ml$/i.test(flags.out ?? '');
  const text = formatSchemaDocument(schema, yaml ? 'yaml' : 'json');
  const outPath = flags.out ? resolve(cwd, flags.out) : undefined;
  if (outPath) {
    mkdirSync(dirname(outPath), { recursive: true });
    writeFileSync(outPath, text);
  }
  return { text, outPath };
}
