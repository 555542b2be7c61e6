/**
 * Metadata key names (protocol §5.6). We follow the SDK's `_is_valid_metadata_key`: non-empty, no leading `$`,
 * and after removing `-`, `_`, space and `.` what remains is non-empty and alphanumeric. Python's
 * `str.isalnum` is Unicode-aware, so `température` passes in the SDK; Encord's docs list only ASCII letters,
 * but we do not reject what the SDK accepts. `keyframes` is reserved (video key frames).
 */

/** Keys nobody may declare in a schema, and that encord-meta never writes (Encord's video key frames). */
export const RESERVED_METADATA_KEYS = ['keyframes'] as const;

/** Whether `key` is reserved by Encord (see `RESERVED_METADATA_KEYS`). */
export function isReservedMetadataKey(key: string): boolean {
  return (RESERVED_METADATA_KEYS as readonly string[]).includes(key);
}

/**
 * `null` when a file column, a config constant, `set` or `--unset` may name `key`; else why not, in a
 * sentence that says what to do. Only reserved keys are refused here (other key rules apply elsewhere).
 */
export function reservedKeyProblem(key: string): string | null {
  if (!isReservedMetadataKey(key)) return null;
  return (
    `"${key}" is Encord's reserved key (the key frames of a video); encord-meta never writes it, so a value for it ` +
    `would be lost or would destroy the key frames. Rename the column (job config "columns.rename") or ignore it ("columns.ignore")`
  );
}

const SEPARATORS = /[-_ .]/g;
const ALPHANUMERIC = /^[\p{L}\p{N}]+$/u;

/** `null` when `key` is a valid metadata key, else why not (a sentence fragment, lower case). */
export function metadataKeyProblem(key: string): string | null {
  if (key.length === 0) return 'a key must not be empty';
  if (key.startsWith('$')) return 'a key must not start with `$`';
  if (isReservedMetadataKey(key)) return `\`${key}\` is reserved`;
  const core = key.replace(SEPARATORS, '');
  if (core.length === 0) return 'a key needs at least one letter or digit';
  if (!ALPHANUMERIC.test(core)) {
    return 'a key may contain only letters, digits, spaces, `-`, `_` and `.`';
  }
  return null;
}

/** Whether `key` is a valid metadata key. */
export function isValidMetadataKey(key: string): boolean {
  return metadataKeyProblem(key) === null;
}
