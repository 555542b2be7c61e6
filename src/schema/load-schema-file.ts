/**
 * Read a schema file (JSON or YAML, any of the forms `parseSchemaDocument` accepts).
 */
import { readFile } from 'node:fs/promises';
import type { MetaSchema } from './meta-schema.js';
import { parseSchemaDocument } from './schema-document.js';
import { schemaError } from './schema-errors.js';

/**
 * Load and validate a schema file. Rejects with `SCHEMA_FILE_UNREADABLE` when the file cannot be read and
 * `SCHEMA_INVALID` (naming the file and key) when its content is wrong. Messages use `path` as given.
 */
export async function loadSchemaFile(path: string): Promise<MetaSchema> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw schemaError('SCHEMA_FILE_UNREADABLE', `Cannot read schema file ${path}: ${reason}`, { file: path, cause: error });
  }
  // A UTF-8 BOM (Excel, Notepad) would make JSON.parse fail on the first character.
  return parseSchemaDocument(text.startsWith('\uFEFF') ? text.slice(1) : text, path);
}
