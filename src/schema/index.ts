/** The schema layer's public surface. */
export {
  FIELD_TYPES,
  NUMBER_FORMATS,
  SCHEMA_LIMITS,
  VARIANT_HINTS,
  describeSpec,
  type FieldSpec,
  type FieldType,
  type NumberFormat,
  type SpecOf,
  type VariantHint,
} from './field-spec.js';
export {
  DEFAULT_VARCHAR_LENGTH,
  EMPTY_SCHEMA,
  adoptRawOptions,
  canonicalSpecText,
  createMetaSchema,
  sortEnumValues,
  specsEqual,
  withField,
  withoutField,
  type MetaSchema,
} from './meta-schema.js';
export { RESERVED_METADATA_KEYS, isReservedMetadataKey, isValidMetadataKey, metadataKeyProblem, reservedKeyProblem } from './metadata-key.js';
export { SCHEMA_ERROR_CODES, type SchemaErrorCode } from './schema-errors.js';
export { fromSimpleWire, fromTypedWire, toSimpleWire, toTypedWire, type SimpleFormLoss } from './wire-schema.js';
export { parseSchemaDocument } from './schema-document.js';
export { formatSchemaDocument, toSchemaDocument } from './format-schema-document.js';
export { loadSchemaFile } from './load-schema-file.js';
export { diffSchemas, formatSchemaDiff, isEmptyDiff, type SchemaDiff } from './diff-schemas.js';
