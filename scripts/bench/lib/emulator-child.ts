/**
 * The emulator in its own process, for benchmarks and soaks: its CPU and memory stay out of the
 * importer's figures (both still share the machine's cores). Started by `emulator-process.ts`:
 *
 *   node --import tsx scripts/bench/lib/emulator-child.ts <options.json>
 *
 * `options.json` holds `{ "emulator": EmulatorOptions, "logDump"?: path }`. The child prints one JSON line
 * `{"url", "control", "datasets"}` and serves a small control API on 127.0.0.1 (a second port) so the
 * parent can read counters, change faults and settings, and read the final state:
 *
 *   GET  /counters          {counters, faults: FaultRuleStats[], time}
 *   POST /faults            body: FaultRule[]   (replaces every rule; their windows restart now)
 *   POST /configure         body: EmulatorSettingsPatch
 *   GET  /rows?dataset=H    NDJSON, one {index, dataHash, backingItemUuid, metadata} per row, server order
 *   POST /close             flush and exit
 *
 * With `logDump`, every request-log entry (headers already redacted by the emulator) is appended to that
 * JSONL file every 200 ms, so a long soak can grep the whole log although the in-memory log is a ring.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type EmulatorOptions, type EmulatorSettingsPatch, type FaultRule } from '../../../src/emulator/index.js';

interface ChildConfig {
  readonly emulator: EmulatorOptions;
  readonly logDump?: string;
}

const configPath = process.argv[2];
if (configPath === undefined) throw new Error('usage: emulator-child.ts <options.json>');
const config = JSON.parse(readFileSync(configPath, 'utf8')) as ChildConfig;
const emu = await startEmulator(config.emulator);

let lastLogged = 0;
const dumpLog = (): void => {
  if (config.logDump === undefined) return;
  const entries = emu.requestLog.find({ afterId: lastLogged });
  if (entries.length === 0) return;
  // Only finished entries: an entry still in flight is picked up by a later pass.
  let text = '';
  for (const e of entries) {
    text += `${JSON.stringify(e)}\n`;
    lastLogged = e.id;
  }
  appendFileSync(config.logDump, text);
  emu.requestLog.clear();
};
if (config.logDump !== undefined) writeFileSync(config.logDump, '');
const dumper = config.logDump === undefined ? undefined : setInterval(dumpLog, 200);

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function streamRows(res: ServerResponse, dataset: string): Promise<void> {
  const rows = emu.state.rows(dataset);
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  let buf = '';
  for (const r of rows) {
    buf += `${JSON.stringify({ index: r.index, dataHash: r.dataHash, backingItemUuid: r.backingItemUuid, metadata: r.metadata })}\n`;
    if (buf.length > 1 << 20) {
      if (!res.write(buf)) await new Promise((resolve) => res.once('drain', resolve));
      buf = '';
    }
  }
  res.end(buf);
}

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  if (dumper !== undefined) clearInterval(dumper);
  await emu.close();
  dumpLog();
  control.close();
  process.exit(0);
}

const control = createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (req.method === 'GET' && url.pathname === '/counters') {
        send(res, 200, { counters: emu.counters(), faults: emu.faults.stats(), time: Date.now() });
      } else if (req.method === 'POST' && url.pathname === '/faults') {
        emu.faults.set((await body(req)) as FaultRule[]);
        send(res, 200, { ok: true });
      } else if (req.method === 'POST' && url.pathname === '/configure') {
        emu.configure((await body(req)) as EmulatorSettingsPatch);
        send(res, 200, { ok: true });
      } else if (req.method === 'GET' && url.pathname === '/rows') {
        await streamRows(res, url.searchParams.get('dataset') ?? '');
      } else if (req.method === 'POST' && url.pathname === '/close') {
        send(res, 200, { ok: true });
        setImmediate(() => void shutdown());
      } else {
        send(res, 404, { error: `no ${req.method} ${url.pathname}` });
      }
    } catch (error) {
      send(res, 500, { error: (error as Error).message });
    }
  })();
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.stdout.write(`${JSON.stringify({ url: emu.url, control: controlUrl, datasets: emu.datasets() })}\n`);
