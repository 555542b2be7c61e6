/**
 * A data file held against a schema: `checkFileAgainstSchema` (what `schema check` reports) and
 * `inferSchema` (what `schema infer` proposes). Above both `schema/` (the model) and `coercion/` (the
 * rules it applies), so neither of those imports the other's consumers.
 */
export {
  checkFileAgainstSchema,
  checkHasFailures,
  formatFileCheck,
  type CheckField,
  type CheckFileInput,
  type CheckSample,
  type ColumnCheck,
  type FileCheck,
  type RowLike,
} from './check-file.js';
export { inferSchema, type InferSchemaInput, type InferredColumn, type InferredSchema } from './infer-schema.js';
