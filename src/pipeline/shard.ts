/**
 * Sharding an import over N workers (`import … --shard I/N`): which rows worker I takes.
 *
 * The contract, so N workers given one file write disjoint sets and every row has exactly one outcome:
 *
 * - A row whose key resolves belongs to the shard of its **write target**: the storage item behind the
 *   data unit it names (`backing_item_uuid`), or the unit's data hash for a legacy unit without one.
 *   Every row for one item therefore lands on one shard (whatever key the file uses, and whichever of the
 *   units sharing the item it names), so duplicate and shared-item checks see all the rows they need.
 * - A row that fails before any target is known (a bad record, an empty, invalid, unknown or ambiguous
 *   key) belongs to **shard 0**, which reports it; the other shards neither write, fail nor report it.
 * - The shard of a target is `first 8 bytes of SHA-256(target), read as an unsigned big-endian 64-bit
 *   integer, mod N`, where `target` is the item uuid (or data hash) in lower case with its dashes, as
 *   UTF-8. Other tools reproduce it, e.g. in Python:
 *   `int.from_bytes(hashlib.sha256(t.lower().encode()).digest()[:8], "big") % n`.
 *
 * Rows of other shards are counted (`otherShards` in the summary) and skipped before the planning pass
 * looks at them (`ShardedSource` wraps the file), so a shard's counts, report, journal and exit code are
 * about its own rows only, and the `rowsRead` of the N shards add up to the rows of the file.
 */
import { createHash } from 'node:crypto';
import type { DataUnit } from '../encord/metadata-store.js';
import { shardPath, shardTag, type Shard } from '../checkpoint/shard-names.js';
import type { KeyChoice, KeyResolver } from '../mapping/key-resolver.js';
import type { SourceItem, TabularSource } from '../sources/source.js';

export { shardPath, shardTag, type Shard };

export { MAX_SHARDS, SHARD_COUNT_ENV, SHARD_INDEX_ENV, checkShard, parseShard, shardFromEnv } from './shard-spec.js';

/** The text a target is hashed as: its storage item uuid, or the data hash of a unit without one; lower case. */
export function shardTarget(unit: Pick<DataUnit, 'backingItemUuid' | 'dataHash'>): string {
  return (unit.backingItemUuid ?? unit.dataHash).toLowerCase();
}

/** The shard (0 … count-1) of a target: first 8 bytes of SHA-256(target) as a big-endian uint64, mod count. */
export function shardOfTarget(target: string, count: number): number {
  if (count === 1) return 0;
  const digest = createHash('sha256').update(target.toLowerCase(), 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count));
}

/** Which source items belong to which shard (see the module doc). */
export class ShardFilter {
  constructor(
    readonly shard: Shard,
    private readonly key: KeyChoice,
    private readonly resolver: Pick<KeyResolver, 'resolve'>,
  ) {}

  owns(item: SourceItem): boolean {
    return this.shardOf(item) === this.shard.index;
  }

  /** The shard an item belongs to: its write target's, or 0 when it has none (bad record, key failure). */
  shardOf(item: SourceItem): number {
    if (item.kind === 'bad') return 0;
    const resolved = this.resolver.resolve(this.key.kind, item.row.values[this.key.column] ?? null);
    if (!resolved.ok) return 0;
    return shardOfTarget(shardTarget(resolved.units[0]!), this.shard.count);
  }
}

const NO_COLUMNS: ReadonlySet<string> = new Set();

/**
 * The source as one shard sees it: only its own items, on every pass. The rows of other shards seen by
 * the first pass are counted in `otherShards` (every pass reads the same file).
 */
export class ShardedSource implements TabularSource {
  /** Items of the file that belong to other shards (counted on the first pass). */
  otherShards = 0;
  private passes = 0;

  constructor(
    private readonly inner: TabularSource,
    readonly filter: ShardFilter,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get columns(): readonly string[] {
    return this.inner.columns;
  }

  get canonicalDecimalColumns(): ReadonlySet<string> {
    return this.inner.canonicalDecimalColumns ?? NO_COLUMNS;
  }

  get shard(): Shard {
    return this.filter.shard;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  async *items(options?: { signal?: AbortSignal }): AsyncGenerator<SourceItem> {
    this.passes += 1;
    const counting = this.passes === 1;
    for await (const item of this.inner.items(options)) {
      if (this.filter.owns(item)) yield item;
      else if (counting) this.otherShards += 1;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
