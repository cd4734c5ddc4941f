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
  /** the exact statuses seen (a set, SPEC §1), in a fixed order */
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

/** The key back from its string: served users and peers are normalised URIs without '|'. */
function keyOf(k: string): ImdnCacheKey {
  const a = k.indexOf('|');
  const b = k.indexOf('|', a + 1);
  return { servedUser: k.slice(0, a), peer: k.slice(a + 1, b), messageId: k.slice(b + 1) };
}

function isLive(firstSeen: number, now: number, ttlSec: number): boolean {
  return now - firstSeen < ttlSec * 1000;
}

// Packed entries keep a million ids small: one number of first-seen time, one bitmask of the
// (type, status) pairs of §3.2, and only for statuses outside §3.2 (rare; negative) a list.
const TYPES: DispositionType[] = ['delivery', 'display', 'processing', 'interworking'];
const KNOWN: Record<DispositionType, string[]> = {
  delivery: ['delivered', 'failed', 'forbidden', 'error'],
  display: ['displayed', 'forbidden', 'error'],
  processing: ['processed', 'stored', 'forbidden', 'error'],
  interworking: ['legacy-sms', 'legacy-mms', 'error'],
};
const BIT: Record<string, number> = {};
{
  let bit = 0;
  for (const t of TYPES) for (const st of KNOWN[t]) BIT[`${t}:${st}`] = 1 << bit++;
  // ImdnCache keeps a mask in 16 bits
  if (bit > 16) throw new Error(`cache.ts: ${bit} (type, status) bits do not fit a Uint16Array`);
}

interface Packed {
  firstSeen: number;
  mask: number;
  /** `${type}:${status}` pairs outside KNOWN */
  extra?: string[];
}

function pack(e: ImdnCacheEntry): Packed {
  let mask = 0;
  const extra: string[] = [];
  for (const t of TYPES) {
    for (const st of e.types[t]?.statuses ?? []) {
      const bit = BIT[`${t}:${st}`];
      if (bit) mask |= bit;
      else extra.push(`${t}:${st}`);
    }
  }
  return extra.length ? { firstSeen: e.firstSeen, mask, extra } : { firstSeen: e.firstSeen, mask };
}

function unpack(p: Packed): ImdnCacheEntry {
  const types: ImdnCacheEntry['types'] = {};
  for (const t of TYPES) {
    const statuses = KNOWN[t].filter((st) => p.mask & BIT[`${t}:${st}`]);
    for (const x of p.extra ?? []) if (x.startsWith(`${t}:`)) statuses.push(x.slice(t.length + 1));
    if (statuses.length === 0) continue;
    types[t] = {
      positive: statuses.some((st) => polarityOf(st) === 'positive'),
      negative: statuses.some((st) => polarityOf(st) !== 'positive'),
      statuses,
    };
  }
  return { firstSeen: p.firstSeen, types };
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

interface UserStats {
  /** entries held for the user */
  count: number;
  /** the latest first-seen time among them: the user has a live entry while this one is live */
  newest: number;
}

export class ImdnCache implements ImdnCacheReader {
  readonly name: CacheName;
  ttlSec: number;
  readonly maxEntries: number;
  // Map iteration order is the LRU order: a put moves the entry to the end. The map holds each
  // key's slot; a slot's fields are in typed arrays: as an object with its time (a boxed double
  // under pointer compression) an entry's value took about 32 bytes of heap, here 10, and the
  // bench's million entries have to fit in 300 MB (bench/cache-memory-child.ts).
  private readonly entries = new Map<string, number>();
  private firstSeenOf = new Float64Array(1024);
  private maskOf = new Uint16Array(1024);
  /** the rare statuses outside KNOWN, by slot */
  private readonly extraOf = new Map<number, string[]>();
  private readonly freeSlots: number[] = [];
  private slotsUsed = 0;
  private readonly users = new Map<string, UserStats>();

  constructor(opts: { name: CacheName; ttlSec: number; maxEntries?: number }) {
    this.name = opts.name;
    this.ttlSec = opts.ttlSec;
    this.maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_CACHE_ENTRIES);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: ImdnCacheKey, now: number, ttlSec = this.ttlSec): ImdnCacheEntry | undefined {
    const slot = this.entries.get(cacheKeyString(key));
    return slot !== undefined && isLive(this.firstSeenOf[slot], now, ttlSec) ? unpack(this.read(slot)) : undefined;
  }

  /**
   * O(1): a user has a live entry while their newest entry is live. (If LRU eviction removed that
   * newest entry while older, expired ones stay, this errs toward "not empty": the notification
   * is then cached and forwarded under IMDN-RX-2b instead of IMDN-RX-3, with the same effects.)
   */
  isEmptyFor(servedUser: string, now: number, ttlSec = this.ttlSec): boolean {
    const u = this.users.get(servedUser);
    return !u || u.count === 0 || !isLive(u.newest, now, ttlSec);
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
    const live = existing !== undefined && isLive(this.firstSeenOf[existing], now, ttlSec) ? unpack(this.read(existing)) : undefined;
    this.remove(k);
    this.insert(k, pack(withStatus(live, effect.type, effect.status, now)));
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.remove(oldest);
    }
  }

  /** Drop expired entries (housekeeping; reads already treat them as absent). */
  purgeExpired(now: number): number {
    let n = 0;
    for (const [k, slot] of this.entries) {
      if (!isLive(this.firstSeenOf[slot], now, this.ttlSec)) {
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
      entries: [...this.entries].map(([k, slot]) => [k, keyOf(k), unpack(this.read(slot))]),
    };
  }

  static restore(data: SerializedImdnCache): ImdnCache {
    const c = new ImdnCache({ name: data.name, ttlSec: data.ttlSec, maxEntries: data.maxEntries });
    for (const [k, , entry] of data.entries) c.insert(k, pack(entry));
    return c;
  }

  private read(slot: number): Packed {
    const extra = this.extraOf.get(slot);
    return extra ? { firstSeen: this.firstSeenOf[slot], mask: this.maskOf[slot], extra } : { firstSeen: this.firstSeenOf[slot], mask: this.maskOf[slot] };
  }

  private newSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    if (this.slotsUsed === this.firstSeenOf.length) {
      const firstSeen = new Float64Array(this.slotsUsed * 2);
      firstSeen.set(this.firstSeenOf);
      this.firstSeenOf = firstSeen;
      const mask = new Uint16Array(this.slotsUsed * 2);
      mask.set(this.maskOf);
      this.maskOf = mask;
    }
    return this.slotsUsed++;
  }

  private insert(k: string, p: Packed) {
    const slot = this.newSlot();
    this.firstSeenOf[slot] = p.firstSeen;
    this.maskOf[slot] = p.mask;
    if (p.extra) this.extraOf.set(slot, p.extra);
    this.entries.set(k, slot);
    const user = k.slice(0, k.indexOf('|'));
    const u = this.users.get(user);
    if (u) {
      u.count++;
      u.newest = Math.max(u.newest, p.firstSeen);
    } else this.users.set(user, { count: 1, newest: p.firstSeen });
  }

  private remove(k: string) {
    const slot = this.entries.get(k);
    if (slot === undefined) return;
    this.entries.delete(k);
    this.extraOf.delete(slot);
    this.freeSlots.push(slot);
    const user = k.slice(0, k.indexOf('|'));
    const u = this.users.get(user);
    if (u && --u.count === 0) this.users.delete(user);
  }
}

/**
 * A read view over a cache plus puts not yet applied by the shell: the parts of one aggregate
 * must see each other's CACHE_PUTs while the engine decides (IMDN-RX-agg).
 */
export class OverlayCache implements ImdnCacheReader {
  private readonly local = new Map<string, ImdnCacheEntry>();
  private readonly users = new Set<string>();
  /** what the base answered, by key, time and TTL: a put reads the entry it extends, and the base is asked once (each question is a recorded lookup, D-295) */
  private readonly asked = new Map<string, ImdnCacheEntry | undefined>();

  constructor(
    private readonly base: ImdnCacheReader,
    private readonly name: CacheName,
  ) {}

  get(key: ImdnCacheKey, now: number, ttlSec?: number): ImdnCacheEntry | undefined {
    const k = cacheKeyString(key);
    const own = this.local.get(k);
    if (own) return own;
    const q = `${k}|${now}|${ttlSec}`;
    if (this.asked.has(q)) return this.asked.get(q);
    const answer = this.base.get(key, now, ttlSec);
    this.asked.set(q, answer);
    return answer;
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
