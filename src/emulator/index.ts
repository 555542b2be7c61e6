/** The Encord-compatible emulator: public surface for tests, demos, benchmarks and the CLI. */
export { startEmulator, type Emulator } from './server.js';
export type {
  EmulatorOptions,
  EmulatorSettings,
  EmulatorSettingsPatch,
  RateLimitOptions,
  LatencyOptions,
  RequestLogOptions,
  MetadataWriteMode,
  UnknownSchemaKeys,
  TypeValidation,
  RouteClass,
  PageSizeMode,
  FolderSearchMode,
} from './options.js';
export { loadFaultsFile, parseFaultRules, type FaultRule, type FaultAction, type FaultRuleStats } from './faults.js';
export { ROUTE_NAMES, type RouteName } from './routes.js';
export type { RequestLog, RequestLogEntry, RequestLogFilter, RouteCounter } from './request-log.js';
export type { EmulatorStateApi, RowView, ItemView, DatasetView, StateSnapshot } from './state-api.js';
export type { DatasetSeed, RowSeed, DatasetSummary, FolderSummary } from './state.js';
export { SPEC_TEST_PUBLIC_KEY, type AuthResult } from './auth.js';
export { STATE_FILE } from './persistence.js';
