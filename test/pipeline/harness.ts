/**
 * Shared setup of the pipeline integration tests: a real emulator on port 0 with a known schema and a
 * dataset whose rows cover every case (backed rows, a legacy row, two rows sharing one item, duplicate
 * titles, pre-existing keys including the reserved `keyframes`), and a client signed with the TEST-ONLY key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEncordClient, type EncordClient } from '../../src/encord/client.js';
import { loadCredentials } from '../../src/encord/key-source.js';
import type { Metadata, WireTypedSchema } from '../../src/encord/protocol/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { EmulatorOptions } from '../../src/emulator/options.js';
import { makeTempDir } from '../temp-dirs.js';

const FIXTURE_KEY = fileURLToPath(new URL('../fixtures/keys/test-key', import.meta.url));
export const TEST_KEY_TEXT = readFileSync(FIXTURE_KEY, 'utf8');
/** A private copy with mode 600: git checks files out 644, which would (rightly) print a warning. */
export const KEY_PATH = join(makeTempDir('encord-meta-key-'), 'test-key');
writeFileSync(KEY_PATH, TEST_KEY_TEXT, { mode: 0o600 });

export const SCHEMA: WireTypedSchema = {
  captured_at: { ty: 'datetime', timezone: 'UTC' },
  city: { ty: 'varchar', max_length: 8192 },
  dark: { ty: 'boolean' },
  weather: { ty: 'enum', values: ['cloudy', 'fog', 'rain', 'snow', 'sunny'] },
  gps: { ty: 'geospatial' },
  embedding: { ty: 'embedding', size: 4, api: null },
  speed: { ty: 'number', format: 'F64' },
  qa_status: { ty: 'varchar', max_length: 8192 },
};

export const DATASET = '11111111-2222-4333-8444-555555555555';
export const SHARED_ITEM = 'aaaaaaaa-0000-4000-8000-00000000beef';

/** Rows in server order (deliberately not sorted by title or hash). */
export const ROWS = [
  { dataHash: 'd0000000-0000-4000-8000-000000000007', title: 'cam-1/frame_007.jpg', metadata: { source: 'legacy-import', keyframes: [0, 12] } },
  { dataHash: 'd0000000-0000-4000-8000-000000000002', title: 'cam-1/frame_002.jpg', metadata: {} },
  { dataHash: 'd0000000-0000-4000-8000-000000000009', title: 'cam-2/frame_009.jpg', metadata: { qa_status: 'approved', city: 'Old' } },
  { dataHash: 'd0000000-0000-4000-8000-000000000001', title: 'cam-2/frame_001.jpg', metadata: {} },
  { dataHash: 'd0000000-0000-4000-8000-000000000005', title: 'legacy/frame_005.jpg', metadata: { source: 'v1-only' }, backingItemUuid: null },
  { dataHash: 'd0000000-0000-4000-8000-000000000003', title: 'dup.jpg', metadata: {} },
  { dataHash: 'd0000000-0000-4000-8000-000000000004', title: 'dup.jpg', metadata: {} },
  { dataHash: 'd0000000-0000-4000-8000-000000000006', title: 'shared-a.jpg', metadata: { source: 'shared' }, backingItemUuid: SHARED_ITEM },
  { dataHash: 'd0000000-0000-4000-8000-000000000008', title: 'shared-b.jpg', metadata: { source: 'shared' }, backingItemUuid: SHARED_ITEM },
] as const satisfies readonly { dataHash: string; title: string; metadata: Metadata; backingItemUuid?: string | null }[];

export interface Harness {
  readonly emulator: Emulator;
  readonly client: EncordClient;
  readonly dir: string;
  write(name: string, text: string): string;
  metadataOf(dataHash: string): Metadata;
  close(): Promise<void>;
}

export interface HarnessRow {
  readonly dataHash: string;
  readonly title: string;
  readonly metadata: Metadata;
  readonly backingItemUuid?: string | null;
}

export async function startHarness(options: EmulatorOptions = {}, rows: readonly HarnessRow[] = ROWS): Promise<Harness> {
  const emulator = await startEmulator({
    typedSchema: SCHEMA,
    datasets: [
      {
        hash: DATASET,
        title: 'pipeline test dataset',
        rows: rows.map((r) => ({ dataHash: r.dataHash, title: r.title, metadata: r.metadata, ...(r.backingItemUuid !== undefined && { backingItemUuid: r.backingItemUuid }) })),
      },
    ],
    ...options,
  });
  const { auth } = await loadCredentials({ sshKeyPath: KEY_PATH, env: {} });
  const client = createEncordClient({ auth, domain: emulator.url, retryBaseDelayMs: 5, retryMaxDelayMs: 40, maxRetryAfterMs: 50, maxRequestsPerSecond: 1000, startRequestsPerSecond: 1000, maxRetries: 8 });
  const dir = makeTempDir('encord-meta-test-');
  return {
    emulator,
    client,
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    metadataOf(dataHash) {
      return emulator.state.rowMetadata(DATASET, dataHash);
    },
    async close() {
      await client.close();
      await emulator.close();
    },
  };
}

/** Write requests the emulator received (v1 saves and v2 patches), faulted or not. */
export function writeRequests(emulator: Emulator): number {
  const c = emulator.counters();
  return (['v1:datarow:POST', 'v2:patch-bulk', 'v2:item:PATCH'] as const).reduce((n, route) => n + (c[route]?.requests ?? 0), 0);
}
