// The IMDN cache (SPEC §1, §7 IMDN-RX-key/-ttl, §9 IMDN-TX-2). One instance per direction
// (AMB-9). It is plain data owned by the shell: the engine reads it through ImdnCacheReader and
// asks for changes with CACHE_PUT effects, so a recorded input log replays into the same state.
//
// Memory bound: at most `maxEntries` entries (default 1,000,000); when full, the entry updated
// least recently is evicted. An evicted entry behaves like an expired one: the next notification
// for it is forwarded and re-cached, so eviction can let a duplicate through but never lose one.
import type { CacheName, Effect, ImdnCacheKey } from '../effects';
import type { DispositionType } from '../model';
import { polarityOf } from '../parse/imdn';

export interface ImdnTypeRecord {
  positive: boolean;
  negative: boolean;
  /** exact statuses, in the order first seen */
  statuses: string[];
}

export interface ImdnCacheEntry {
  types: Partial<Record<DispositionType, ImdnTypeRecord>>;
  /** epoch ms of the first CACHE_PUT; the entry expires ttl after this */
  firstSeen: number;
}

export interface ImdnCacheReader {
  /** the live entry for the key, or undefined when absent or expired */
  get(key: ImdnCacheKey, now: number, ttlSec?: number): ImdnCacheEntry | undefined;
  /** no live entry for this served user (IMDN-RX-3) */
  isEmptyFor(servedUser: string, now: number, ttlSec?: number): boolean;
}

export interface SerializedImdnCache {
  version: 1;
  name: CacheName;
  ttlSec: number;
  maxEntries: number;
  entries: [string, ImdnCacheKey, ImdnCacheEntry][];
}

export const DEFAULT_MAX_CACHE_ENTRIES = 1_000_000;

export function cacheKeyString(key: ImdnCacheKey): string {
  return `${key.servedUser}|${key.peer}|${key.messageId}`;
}

function isLive(entry: ImdnCacheEntry, now: number, ttlSec: number): boolean {
  return now - entry.firstSeen < ttlSec * 1000;
}

/** Record one forwarded (or generated) status in an entry, returning a new entry. */
export function withStatus(entry: ImdnCacheEntry | undefined, type: DispositionType, status: string, now: number): ImdnCacheEntry {
  const base: ImdnCacheEntry = entry ?? { types: {}, firstSeen: now };
  const prev = base.types[type] ?? { positive: false, negative: false, statuses: [] };
  const pos = polarityOf(status) === 'positive';
  const rec: ImdnTypeRecord = {
    positive: prev.positive || pos,
    negative: prev.negative || !pos,
    statuses: prev.statuses.includes(status) ? prev.statuses : [...prev.statuses, status],
  };
  return { firstSeen: base.firstSeen, types: { ...base.types, [type]: rec } };
}

export class ImdnCache implements ImdnCacheReader {
  readonly name: CacheName;
  ttlSec: number;
  readonly maxEntries: number;
  // Map iteration order is the LRU order: a put moves the entry to the end.
  private readonly entries = new Map<string, { key: ImdnCacheKey; entry: ImdnCacheEntry }>();
  private readonly byUser = new Map<string, Set<string>>();

  constructor(opts: { name: CacheName; ttlSec: number; maxEntries?: number }) {
    this.name = opts.name;
    this.ttlSec = opts.ttlSec;
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_CACHE_ENTRIES);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: ImdnCacheKey, now: number, ttlSec = this.ttlSec): ImdnCacheEntry | undefined {
    const e = this.entries.get(cacheKeyString(key));
    return e && isLive(e.entry, now, ttlSec) ? e.entry : undefined;
  }

  isEmptyFor(servedUser: string, now: number, ttlSec = this.ttlSec): boolean {
    const keys = this.byUser.get(servedUser);
    if (!keys) return true;
    for (const k of keys) {
      const e = this.entries.get(k);
      if (e && isLive(e.entry, now, ttlSec)) return false;
    }
    return true;
  }

  /**
   * Apply a CACHE_PUT for this cache; other effects (or the other cache's puts) are ignored.
   * Pass the policy's imdnCacheTtlSec when it may differ from this.ttlSec, so an entry the engine
   * judged expired is replaced rather than extended.
   */
  apply(effect: Effect, now: number, ttlSec = this.ttlSec): void {
    if (effect.kind !== 'CACHE_PUT' || effect.cache !== this.name) return;
    const k = cacheKeyString(effect.key);
    const existing = this.entries.get(k);
    const live = existing && isLive(existing.entry, now, ttlSec) ? existing.entry : undefined;
    this.remove(k);
    this.insert(k, effect.key, withStatus(live, effect.type, effect.status, now));
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest);
    }
  }

  /** Drop expired entries (housekeeping; reads already treat them as absent). */
  purgeExpired(now: number): number {
    let n = 0;
    for (const [k, e] of this.entries) {
      if (!isLive(e.entry, now, this.ttlSec)) {
        this.remove(k);
        n++;
      }
    }
    return n;
  }

  serialize(): SerializedImdnCache {
    return {
      version: 1,
      name: this.name,
      ttlSec: this.ttlSec,
      maxEntries: this.maxEntries,
      entries: [...this.entries].map(([k, e]) => [k, { ...e.key }, structuredCloneEntry(e.entry)]),
    };
  }

  static restore(data: SerializedImdnCache): ImdnCache {
    const c = new ImdnCache({ name: data.name, ttlSec: data.ttlSec, maxEntries: data.maxEntries });
    for (const [k, key, entry] of data.entries) c.insert(k, key, structuredCloneEntry(entry));
    return c;
  }

  private insert(k: string, key: ImdnCacheKey, entry: ImdnCacheEntry) {
    this.entries.set(k, { key, entry });
    let set = this.byUser.get(key.servedUser);
    if (!set) this.byUser.set(key.servedUser, (set = new Set()));
    set.add(k);
  }

  private remove(k: string) {
    const e = this.entries.get(k);
    if (!e) return;
    this.entries.delete(k);
    const set = this.byUser.get(e.key.servedUser);
    set?.delete(k);
    if (set && set.size === 0) this.byUser.delete(e.key.servedUser);
  }
}

function structuredCloneEntry(e: ImdnCacheEntry): ImdnCacheEntry {
  const types: ImdnCacheEntry['types'] = {};
  for (const [t, r] of Object.entries(e.types) as [DispositionType, ImdnTypeRecord][]) {
    types[t] = { positive: r.positive, negative: r.negative, statuses: [...r.statuses] };
  }
  return { firstSeen: e.firstSeen, types };
}

/**
 * A read view over a cache plus puts not yet applied by the shell: the parts of one aggregate
 * must see each other's CACHE_PUTs while the engine decides (IMDN-RX-agg).
 */
export class OverlayCache implements ImdnCacheReader {
  private readonly local = new Map<string, ImdnCacheEntry>();
  private readonly users = new Set<string>();

  constructor(
    private readonly base: ImdnCacheReader,
    private readonly name: CacheName,
  ) {}

  get(key: ImdnCacheKey, now: number, ttlSec?: number): ImdnCacheEntry | undefined {
    return this.local.get(cacheKeyString(key)) ?? this.base.get(key, now, ttlSec);
  }

  isEmptyFor(servedUser: string, now: number, ttlSec?: number): boolean {
    return !this.users.has(servedUser) && this.base.isEmptyFor(servedUser, now, ttlSec);
  }

  put(effect: Effect, now: number, ttlSec?: number): void {
    if (effect.kind !== 'CACHE_PUT' || effect.cache !== this.name) return;
    const k = cacheKeyString(effect.key);
    this.local.set(k, withStatus(this.get(effect.key, now, ttlSec), effect.type, effect.status, now));
    this.users.add(effect.key.servedUser);
  }
}
