import { describe, expect, it } from 'vitest';
import { BearerTokenAuth } from '../../src/encord/auth.js';
import { DEFAULT_DOMAIN, resolveClientOptions, resolveDomain, type EncordClientOptions } from '../../src/encord/client-options.js';
import { EncordConfigError } from '../../src/encord/errors.js';

const auth = new BearerTokenAuth('tok');

function failure(options: Record<string, unknown>): string {
  try {
    resolveClientOptions({ auth, ...options } as unknown as EncordClientOptions);
  } catch (e) {
    expect(e).toBeInstanceOf(EncordConfigError);
    expect((e as EncordConfigError).code).toBe('USAGE_OPTION');
    return (e as Error).message;
  }
  throw new Error('expected USAGE_OPTION');
}

describe('resolveClientOptions', () => {
  it('floor of the rate: 1 request/s under the default ceiling (R may be 5), 1/20 of a ceiling the user raised (storms must not hold a --rate-limit 10000 run at 1/s)', () => {
    expect(resolveClientOptions({ auth }).minRequestsPerSecond).toBe(1);
    expect(resolveClientOptions({ auth, maxRequestsPerSecond: 10_000 }).minRequestsPerSecond).toBe(500);
  });

  it('fills in the documented defaults', () => {
    const o = resolveClientOptions({ auth });
    expect(o).toMatchObject({
      domain: DEFAULT_DOMAIN,
      concurrency: 8,
      maxRequestsPerSecond: 250,
      minRequestsPerSecond: 1,
      maxRetries: 5,
      retryBaseDelayMs: 1000,
      retryMaxDelayMs: 30_000,
      maxRetryAfterMs: 600_000,
      rateLimitRetryBudgetMs: 3_600_000,
      unreachableAfterMs: 60_000,
      timeoutMs: 180_000,
      bulkChunkSize: 1000,
    });
    expect(o.userAgent).toMatch(/^encord-meta\/\d+\.\d+\.\d+\S* node\/\d+\.\d+\.\d+$/);
  });

  it.each([
    [{ concurrency: 0 }, 'Expected `concurrency` to be an integer from 1 to 256, got `0` (number)'],
    [{ concurrency: 2.5 }, 'Expected `concurrency` to be an integer from 1 to 256, got `2.5` (number)'],
    [{ concurrency: '8' }, 'Expected `concurrency` to be an integer from 1 to 256, got `"8"` (string)'],
    [{ maxRequestsPerSecond: 0 }, 'Expected `maxRequestsPerSecond` to be a number from 0.01 to 10000, got `0` (number)'],
    [{ maxRequestsPerSecond: 5, minRequestsPerSecond: 6 }, 'Expected `minRequestsPerSecond` to be a number from 0.01 to 5, got `6` (number)'],
    [{ maxRetries: -1 }, 'Expected `maxRetries` to be an integer from 0 to 100, got `-1` (number)'],
    [{ timeoutMs: Number.NaN }, 'Expected `timeoutMs` to be an integer from 1 to 3600000, got `NaN` (number)'],
    [{ bulkChunkSize: 1001 }, 'Expected `bulkChunkSize` to be an integer from 1 to 1000, got `1001` (number)'],
    [{ onEvent: 'log' }, 'Expected `onEvent` to be a function, got `"log"` (string)'],
    [{ userAgentSuffix: 'bad\nvalue' }, 'Expected `userAgentSuffix` to be product tokens'],
    [{ auth: null }, 'Expected `auth` to be credentials'],
  ])('%j', (options, message) => {
    expect(failure(options)).toContain(message);
  });

  it('appends the user agent suffix', () => {
    expect(resolveClientOptions({ auth, userAgentSuffix: 'nightly/2' }).userAgent).toMatch(/ nightly\/2$/);
  });
});

describe('resolveDomain', () => {
  it.each([
    [undefined, 'https://api.encord.com'],
    ['', 'https://api.encord.com'],
    ['us', 'https://api.us.encord.com'],
    ['US', 'https://api.us.encord.com'],
    ['https://api.encord.com/', 'https://api.encord.com'],
    ['https://encord.example.com:8443/some/path?q=1#x', 'https://encord.example.com:8443'],
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000'],
    ['private.example.com', 'https://private.example.com'],
  ])('%j -> %s', (input, expected) => {
    expect(resolveDomain(input)).toBe(expected);
  });

  it('rejects other schemes and URLs with credentials (without echoing them)', () => {
    expect(() => resolveDomain('ftp://x')).toThrow(EncordConfigError);
    try {
      resolveDomain('https://user:hunter2@host');
      expect.unreachable();
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });
});
