/**
 * Progress for people and for cron. On a terminal: one line redrawn in place (rows/s, ETA, counts). Not on
 * a terminal: a plain timestamped log line every `intervalMs`, no control characters. Hand-rolled: the
 * libraries measured here either print nothing under cron or flood a 0-column pty (deps.md §6).
 */
import type { OutputStream } from './io.js';

export interface ProgressSnapshot {
  readonly phase: string;
  readonly done: number;
  readonly total: number | undefined;
  readonly written?: number;
  readonly unchanged?: number;
  readonly failed?: number;
}

export class ProgressLine {
  private lastDraw = 0;
  private lastDone = 0;
  private lastTime: number;
  private rate = 0;
  private drawn = false;
  private readonly startedAt: number;

  constructor(
    private readonly out: OutputStream,
    private readonly options: { readonly enabled: boolean; readonly intervalMs?: number; readonly now?: () => number },
  ) {
    this.startedAt = this.now();
    this.lastTime = this.startedAt;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  update(s: ProgressSnapshot, force = false): void {
    if (!this.options.enabled) return;
    const t = this.now();
    const tty = this.out.isTTY === true;
    const interval = this.options.intervalMs ?? (tty ? 200 : 5000);
    if (!force && t - this.lastDraw < interval) return;
    const dt = (t - this.lastTime) / 1000;
    if (dt > 0 && s.done >= this.lastDone) {
      const instant = (s.done - this.lastDone) / dt;
      this.rate = this.rate === 0 ? instant : this.rate * 0.7 + instant * 0.3;
    }
    this.lastDone = s.done;
    this.lastTime = t;
    this.lastDraw = t;
    const parts = [`${s.phase}`, s.total !== undefined ? `${s.done}/${s.total} rows` : `${s.done} rows`, `${Math.round(this.rate)} rows/s`];
    if (s.total !== undefined && this.rate > 0 && s.total > s.done) parts.push(`ETA ${formatDuration((s.total - s.done) / this.rate)}`);
    if (s.written !== undefined) parts.push(`written ${s.written}`, `unchanged ${s.unchanged ?? 0}`, `failed ${s.failed ?? 0}`);
    const text = parts.join(' | ');
    if (tty) {
      // Some terminals (and `script`, CI runners with a pty) report 0 columns: treat that as unknown.
      const columns = this.out.columns !== undefined && this.out.columns > 0 ? this.out.columns : 100;
      const width = Math.max(20, columns - 1);
      this.out.write(`\r${text.slice(0, width).padEnd(width)}`);
      this.drawn = true;
    } else {
      this.out.write(`${new Date(t).toISOString()} progress ${text}\n`);
    }
  }

  /** Clear the redrawn line before other output. */
  done(): void {
    if (this.drawn && this.out.isTTY) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
