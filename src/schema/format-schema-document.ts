/**
 * Writing a schema as a document people can read and edit, and that `parseSchemaDocument` reads back to
 * the same schema (`schema pull`, `schema infer`).
 */
import { type FieldSpec, SCHEMA_LIMITS } from './field-spec.js';
import { type MetaSchema, setOwn } from './meta-schema.js';
import { toTypedOption } from './typed-option.js';
import { stringifyYaml } from './yaml.js';

/**
 * The schema as a document `parseSchemaDocument` reads back to the same schema: the friendly form where
 * it says everything (`"number"`, `"embedding(8)"`, `{"type": "enum", "values": [...]}`), the typed wire
 * option when the key carries fields we do not model (an embedding's `api`, unknown `ty`s, tombstones).
 */
export function toSchemaDocument(schema: MetaSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of schema.fields) {
    const raw = schema.rawOptions.get(key);
    if (spec.type === 'tombstone' || spec.type === 'unknown' || (raw !== undefined && hasUnmodelledFields(raw, spec))) {
      const option = toTypedOption(spec);
      setOwn(out, key, raw ?? (option.ok ? option.option : { ty: spec.type }));
      continue;
    }
    setOwn(out, key, friendly(spec));
  }
  return out;
}

function friendly(spec: FieldSpec): unknown {
  switch (spec.type) {
    case 'number':
      return spec.format === 'F64' ? 'number' : `number(${spec.format})`;
    case 'string':
      return spec.maxLength === SCHEMA_LIMITS.varcharMaxLength ? 'string' : `string(${spec.maxLength})`;
    case 'enum':
      return spec.values.length === 0 ? 'enum' : { type: 'enum', values: [...spec.values] };
    case 'embedding':
      return spec.size === null ? 'embedding' : `embedding(${spec.size})`;
    case 'variant':
      return `variant(${spec.hint})`;
    default:
      return spec.type;
  }
}

function hasUnmodelledFields(raw: Readonly<Record<string, unknown>>, spec: FieldSpec): boolean {
  const canonical = toTypedOption(spec);
  if (!canonical.ok) return true;
  for (const [field, value] of Object.entries(raw)) {
    if (!(field in canonical.option)) return true;
    if (field === 'api' && value !== null && value !== undefined) return true;
  }
  return false;
}

/** The schema document as JSON (2-space indent) or YAML text, ending with a newline. */
export function formatSchemaDocument(schema: MetaSchema, format: 'json' | 'yaml'): string {
  const document = toSchemaDocument(schema);
  return format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringifyYaml(document);
}
