/**
 * Undo journal: before a write is sent, the unit's previous metadata is appended here (JSONL) and the
 * file is fsync'd, so even a SIGKILL between journal and write leaves enough to restore. `readUndoJournal`
 * tolerates a torn last line (a crash mid-append) and keeps, per target, the FIRST previous value: the
 * state before the run, even when a target was written more than once across retries.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Metadata } from '../encord/protocol/types.js';
import { MetaError } from '../errors.js';

export interface JournalHeader {
  readonly type: 'run';
  readonly version: 1;
  readonly datasetHash: string;
  readonly source: string;
  readonly startedAt: string;
}

/** One target's metadata as it was before the write. */
export interface JournalEntry {
  readonly type: 'before';
  /** `item` targets are restored with patch-bulk, `row` targets with the v1 save. */
  readonly target: 'item' | 'row';
  /** Item uuid for `item`, data hash for `row`. */
  readonly id: string;
  readonly dataHash: string;
  readonly metadata: Metadata;
}

export class UndoJournal {
  private fd: number | undefined;
  private pending = 0;

  constructor(readonly path: string) {}

  open(header: Omit<JournalHeader, 'type' | 'version'>): void {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a');
    this.append({ type: 'run', version: 1, ...header });
    this.sync();
  }

  /** Record previous values; call `sync()` before sending the write they protect. */
  record(entries: readonly Omit<JournalEntry, 'type'>[]): void {
    for (const e of entries) this.append({ type: 'before', ...e });
  }

  /** Make everything recorded so far durable. */
  sync(): void {
    if (this.fd === undefined || this.pending === 0) return;
    fsyncSync(this.fd);
    this.pending = 0;
  }

  close(): void {
    if (this.fd === undefined) return;
    this.sync();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(value: JournalHeader | JournalEntry): void {
    if (this.fd === undefined) throw new MetaError('JOURNAL_IO', `undo journal ${this.path} is not open`);
    writeSync(this.fd, `${JSON.stringify(value)}\n`);
    this.pending += 1;
  }
}

export interface ParsedJournal {
  readonly header: JournalHeader | undefined;
  /** First recorded previous value per target, in first-seen order. */
  readonly entries: readonly JournalEntry[];
  /** Lines that could not be parsed (a torn last line after a crash is expected and harmless). */
  readonly skippedLines: number;
}

export function readUndoJournal(path: string): ParsedJournal {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new MetaError('JOURNAL_IO', `cannot read undo journal ${path}: ${(cause as Error).message}`, { cause });
  }
  let header: JournalHeader | undefined;
  const first = new Map<string, JournalEntry>();
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped += 1;
      continue;
    }
    const v = value as Partial<JournalEntry | JournalHeader>;
    if (v.type === 'run' && !header) header = v as JournalHeader;
    else if (v.type === 'before') {
      const e = v as JournalEntry;
      const key = `${e.target}:${e.id}`;
      if (!first.has(key)) first.set(key, e);
    } else if (v.type !== 'run') skipped += 1;
  }
  return { header, entries: [...first.values()], skippedLines: skipped };
}
