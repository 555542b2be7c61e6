import { describe, expect, it } from 'vitest';
import { type CoercionOptions, resolveCoercionOptions } from '../../src/coercion/coercion-options.js';
import { MetaError } from '../../src/errors.js';

describe('resolveCoercionOptions', () => {
  it('defaults', () => {
    const r = resolveCoercionOptions();
    expect(r).toMatchObject({ decimalComma: false, thousandsSeparator: 'none', timezone: 'UTC', dateFormat: 'iso', geoOrder: 'lat,lon' });
    expect([...r.trueValues]).toEqual(['true', 'yes', 'y', '1', 'on', 't']);
    expect([...r.falseValues]).toEqual(['false', 'no', 'n', '0', 'off', 'f']);
  });

  it('canonicalises zone names', () => {
    expect(resolveCoercionOptions({ timezone: 'europe/paris' }).timezone).toBe('Europe/Paris');
    expect(resolveCoercionOptions({ timezone: 'Etc/UTC' }).timezone).toBe('UTC');
  });

  it.each<[string, CoercionOptions, string]>([
    ['unknown zone', { timezone: 'Mars/Base' }, 'Expected `timezone` to be an IANA zone such as Europe/Paris, got `"Mars/Base"` (string)'],
    ['non-boolean decimalComma', { decimalComma: 'yes' as unknown as boolean }, 'Expected `decimalComma` to be a boolean, got `"yes"` (string)'],
    ['bad separator', { thousandsSeparator: '_' as never }, 'Expected `thousandsSeparator` to be one of "none", ",", ".", " ", got `"_"` (string)'],
    ['thousands = decimal comma', { decimalComma: true, thousandsSeparator: ',' }, 'Expected `thousandsSeparator` to differ from the decimal separator ("," with `decimalComma`), got `","` (string)'],
    ['thousands = decimal point', { thousandsSeparator: '.' }, 'to differ from the decimal separator (".")'],
    ['bad date format', { dateFormat: 'yyyy/dd/mm' as never }, 'Expected `dateFormat` to be one of "iso", "dd/mm/yyyy", "mm/dd/yyyy", got `"yyyy/dd/mm"` (string)'],
    ['bad geo order', { geoOrder: 'x,y' as never }, 'Expected `geoOrder` to be one of "lat,lon", "lon,lat"'],
    ['empty word list', { trueValues: [] }, 'Expected `trueValues` to be a non-empty list of words, got `[]` (array)'],
    ['blank word', { falseValues: ['no', ' '] }, 'Expected `falseValues` to be a list of non-empty words'],
    ['word in both lists', { trueValues: ['yes', 'Y'], falseValues: ['y', 'n'] }, 'Expected `trueValues` and `falseValues` to have no word in common, got `y` in both'],
  ])('refuses %s', (_what, options, message) => {
    expect(() => resolveCoercionOptions(options)).toThrow(message);
    try {
      resolveCoercionOptions(options);
    } catch (error) {
      expect(error).toBeInstanceOf(MetaError);
      expect((error as MetaError).code).toBe('USAGE_OPTION');
    }
  });
});
