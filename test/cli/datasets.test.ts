import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { DATASET, cli, demoEmulator, lastJson } from './helpers.js';

let emulator: Emulator;
beforeEach(async () => {
  emulator = await demoEmulator();
});
afterEach(async () => {
  await emulator.close();
});

describe('datasets', () => {
  it('lists the datasets with the hash the other commands take; --title-like filters; --json', async () => {
    const r = await cli(['datasets'], { url: emulator.url });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^dataset hash\s+title\s+backing folder\s+role/);
    expect(r.out).toContain(DATASET);
    expect((await cli(['datasets', '--title-like', 'no such thing'], { url: emulator.url })).out).toContain('No dataset found');
    const json = lastJson((await cli(['--json', 'datasets', '--title-like', 'Dashcam'], { url: emulator.url })).out) as { datasets: { datasetHash: string }[] };
    expect(json.datasets.map((d) => d.datasetHash)).toEqual([DATASET]);
  });

  it('an unknown dataset elsewhere points here', async () => {
    const r = await cli(['list', '--dataset', '00000000-0000-4000-8000-000000000000'], { url: emulator.url });
    expect(r.code).toBe(1);
    expect(r.err).toContain('encord-meta datasets --title-like NAME');
  });
});
