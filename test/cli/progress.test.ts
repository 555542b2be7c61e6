import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/cli/progress.js';

describe('progress line', () => {
  it('a terminal that reports 0 columns gets a full line, not 20 characters', () => {
    let out = '';
    const line = new ProgressLine({ write: (t: string) => (out += t), isTTY: true, columns: 0 }, { enabled: true, now: () => 0 });
    line.update({ phase: 'writing', done: 5, total: 10, written: 3, unchanged: 1, failed: 1 }, true);
    expect(out).toContain('written 3 | unchanged 1 | failed 1');
  });

  it('under cron (no terminal) it writes plain timestamped lines', () => {
    let out = '';
    const line = new ProgressLine({ write: (t: string) => (out += t), isTTY: false }, { enabled: true, now: () => 0 });
    line.update({ phase: 'planning', done: 5, total: undefined }, true);
    expect(out).toBe('1970-01-01T00:00:00.000Z progress planning | 5 rows | 0 rows/s\n');
  });
});
