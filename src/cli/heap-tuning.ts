/**
 * V8's heap growth for the bin (issue 10 §2). A writing import keeps little alive (the index, the batches in
 * flight: ~40 MB at 20k rows) but allocates fast, and V8's default growth lets the old generation reach up
 * to 4× what survived the last full GC before collecting again: a 20k-row `--key item_uuid` import peaked at
 * 222 MB of RSS with 42 MB alive. Growing by 20 % between full GCs peaks at 165-170 MB at the same speed
 * (`--optimize-for-size` peaked lower but ran twice as slow). The young generation stays at its first size
 * (V8 doubles it up to 2 × 16 MB when much survives a scavenge, which a pipeline of 1000-row batches always
 * does): 20k items by uuid 165-172 -> 132-141 MB peak; wall time 24-38 s against 20-31 s in interleaved runs
 * at load 12-15, so a cost of up to ~20 % is not excluded (re-measure idle). Only the bin applies these
 * (and the benchmark probe that stands in for it): `runCli` embedded in another program leaves that
 * program's heap alone.
 */
import { setFlagsFromString } from 'node:v8';

/** Percent the old generation may grow past what survived the last full GC before the next one. */
export const HEAP_GROWING_PERCENT = 20;

export function tuneHeap(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlagsFromString('--semi-space-growth-factor=1');
}
