import { describe, expect, it } from 'vitest';
import { isValidMetadataKey, metadataKeyProblem } from '../../src/schema/metadata-key.js';

describe('metadata keys (SDK _is_valid_metadata_key)', () => {
  it.each(['city', 'captured_at', 'camera model', 'v1.2-beta', 'Température', '123'])('accepts %o', (key) => {
    expect(isValidMetadataKey(key)).toBe(true);
  });

  it.each<[string, string]>([
    ['', 'a key must not be empty'],
    ['$price', 'a key must not start with `$`'],
    ['keyframes', '`keyframes` is reserved'],
    ['- _.', 'a key needs at least one letter or digit'],
    ['a/b', 'a key may contain only letters, digits, spaces, `-`, `_` and `.`'],
    ['temp(°C)', 'a key may contain only letters, digits, spaces, `-`, `_` and `.`'],
    ['a$b', 'a key may contain only letters, digits, spaces, `-`, `_` and `.`'],
  ])('refuses %o', (key, problem) => {
    expect(metadataKeyProblem(key)).toBe(problem);
    expect(isValidMetadataKey(key)).toBe(false);
  });
});
