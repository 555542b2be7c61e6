/**
 * Parent side of `emulator-child.ts`: spawn the emulator in its own process, wait for its ready line,
 * and talk to its control API. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DatasetSummary, EmulatorOptions, EmulatorSettingsPatch, FaultRule, FaultRuleStats, RouteCounter } from '../../../src/emulator/index.js';
import type { Metadata } from '../../../src/encord/protocol/types.js';

const CHILD = fileURLToPath(new URL('./emulator-child.ts', import.meta.url));

export interface CountersReply {
  readonly counters: Record<string, RouteCounter>;
  readonly faults: FaultRuleStats[];
  readonly time: number;
}

export interface RowState {
  readonly index: number;
  readonly dataHash: string;
  readonly backingItemUuid: string | null;
  readonly metadata: Metadata;
}

export interface EmulatorProcess {
  readonly url: string;
  readonly control: string;
  readonly datasets: DatasetSummary[];
  readonly pid: number;
  counters(): Promise<CountersReply>;
  setFaults(rules: readonly FaultRule[]): Promise<void>;
  configure(patch: EmulatorSettingsPatch): Promise<void>;
  /** Every row of a dataset with its current metadata, in server order (streamed, one callback per row). */
  eachRow(dataset: string, visit: (row: RowState) => void): Promise<number>;
  /** Peak RSS of the emulator process so far, in kB (from /proc; 0 when unavailable). */
  peakRssKb(): number;
  close(): Promise<void>;
}

function http(method: string, url: string, payload?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const req = request(url, { method, headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`control ${method} ${url}: ${res.statusCode} ${text}`));
        else resolve(text);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface SpawnEmulatorOptions {
  readonly emulator: EmulatorOptions;
  /** Append every request-log entry to this JSONL file. */
  readonly logDump?: string;
  /** Give up waiting for the ready line after this long. @default 600000 */
  readonly startTimeoutMs?: number;
  /** Extra node flags, e.g. `--max-old-space-size=16384` for multi-million-row datasets. */
  readonly nodeFlags?: readonly string[];
}

export async function spawnEmulator(options: SpawnEmulatorOptions): Promise<EmulatorProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'encord-meta-emu-'));
  const configPath = join(dir, 'options.json');
  writeFileSync(configPath, JSON.stringify({ emulator: options.emulator, ...(options.logDump !== undefined && { logDump: options.logDump }) }));
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', CHILD, configPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: fileURLToPath(new URL('../../../', import.meta.url)),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ url: string; control: string; datasets: DatasetSummary[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start in time')), options.startTimeoutMs ?? 600_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as { url: string; control: string; datasets: DatasetSummary[] });
      } catch (error) {
        reject(error as Error);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code} before it was ready`));
    });
  });
  child.stdout!.resume();
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(peak, readVmHwm(child.pid));
  };
  const sampler = setInterval(sample, 500);
  sampler.unref();
  return {
    ...ready,
    pid: child.pid!,
    counters: async () => JSON.parse(await http('GET', `${ready.control}/counters`)) as CountersReply,
    setFaults: async (rules) => void (await http('POST', `${ready.control}/faults`, rules)),
    configure: async (patch) => void (await http('POST', `${ready.control}/configure`, patch)),
    eachRow: (dataset, visit) =>
      new Promise((resolve, reject) => {
        const req = request(`${ready.control}/rows?dataset=${encodeURIComponent(dataset)}`, (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`rows: HTTP ${res.statusCode}`));
            res.resume();
            return;
          }
          let n = 0;
          const lines = createInterface({ input: res });
          lines.on('line', (line) => {
            if (line === '') return;
            visit(JSON.parse(line) as RowState);
            n += 1;
          });
          lines.on('close', () => resolve(n));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      }),
    peakRssKb: () => {
      sample();
      return peak;
    },
    close: async () => {
      clearInterval(sampler);
      if (child.exitCode === null) {
        await http('POST', `${ready.control}/close`).catch(() => child.kill('SIGTERM'));
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** VmHWM (peak resident set) of a live process, in kB; 0 when /proc is not there. */
export function readVmHwm(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

