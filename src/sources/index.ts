/** The sources layer: streaming CSV, Parquet and .xlsx readers behind one interface. */
export type { BadRecord, Cell, RawRow, SourceItem, TabularSource } from './source.js';
export { BAD_RECORD_CODES, SOURCE_ERROR_CODES } from './source.js';
export { createSource, openSource, resolveFormat, type OpenSourceOptions } from './open-source.js';
export { CsvSource, type CsvSourceOptions } from './csv/csv-source.js';
export { CSV_ENCODINGS, type CsvEncoding } from './csv/decode.js';
export { ParquetSource, type ParquetSourceOptions } from './parquet/parquet-source.js';
export { XlsxSource, type XlsxSourceOptions } from './xlsx/xlsx-source.js';
export { CSV_DELIMITERS, SOURCE_FORMATS, type CsvDelimiter, type SourceFormat } from './sniff.js';
export { MultiSource, openInputs } from './multi-source.js';
export { expandInputs, naturalCompare, type ExpandedInputs, type InputFile, type Partition } from './input-files.js';
