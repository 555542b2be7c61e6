/** The coercion layer's public surface. */
export { COERCION_ERROR_CODES, type CoercionErrorCode } from './coercion-codes.js';
export {
  DATE_FORMATS,
  DEFAULT_FALSE_VALUES,
  DEFAULT_TRUE_VALUES,
  GEO_ORDERS,
  THOUSANDS_SEPARATORS,
  canonicalDecimalOptions,
  resolveCoercionOptions,
  type CoercionOptions,
  type DateFormat,
  type GeoOrder,
  type ResolvedCoercionOptions,
  type ThousandsSeparator,
} from './coercion-options.js';
export {
  describeCell,
  formatCellError,
  quote,
  type CellLocation,
  type CoerceError,
  type CoerceResult,
} from './coerce-result.js';
export { coerce, VARIANT_HINT_SPECS } from './coerce.js';
export { coerceJsonValue } from './coerce-json-value.js';
export { coerceNumber, parseDecimal } from './coerce-number.js';
export { exactDouble, exactDoubleOfBigint, inexactHint, inexactJsonNumber, type ExactDouble } from '../exact-number.js';
export { coerceString } from './coerce-string.js';
export { coerceBoolean } from './coerce-boolean.js';
export { coerceDatetime } from './coerce-datetime.js';
export { coerceEnum } from './coerce-enum.js';
export { coerceEmbedding, embeddingLength } from './coerce-embedding.js';
export { coerceGeospatial, coerceGeoObject, combineGeo } from './coerce-geospatial.js';
export { coerceUuid } from './coerce-uuid.js';
