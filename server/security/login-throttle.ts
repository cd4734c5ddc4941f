// Slows password guessing without letting an attacker lock the real operator out (issue 18,
// DECISIONS D-132). Three bounds, none of which can be flushed by failing on other names:
// - per client address: after `perAddress` failures (any names) within the window, that address
//   is refused (429) until the window passes;
// - per account: after `freeFailures` failures on a name (from anywhere), each next attempt on it
//   must wait 2, 4, 8 … seconds after the last failure, at most `maxBackoffSec`: an attack from many
//   addresses slows guessing to one a minute, and the real operator waits at most that long;
// - the tables are bounded, but an entry still in force is never evicted: existing accounts are
//   kept apart (they are few); when the table of addresses is full of live entries a new address
//   goes untracked (the account backoff still holds), and new unknown names share one overflow
//   entry (so a 429 does not tell a real account from an unknown name).
// The client address is the TCP peer, or what X-Forwarded-For says when the peer is a trusted
// reverse proxy (clientAddress).
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export interface ThrottleOptions {
  now?: () => number;
  /** failures from one address within the window before it is locked */
  perAddress?: number;
  /** failures on one account before backoff starts */
  freeFailures?: number;
  maxBackoffSec?: number;
  windowMs?: number;
  /** entries kept for addresses, and for unknown names, each */
  maxEntries?: number;
}

interface Entry { count: number; last: number }

const OVERFLOW = '\u0000overflow';

export class LoginThrottle {
  private readonly addresses = new Map<string, Entry>();
  private readonly accounts = new Map<string, Entry>();
  private readonly unknownNames = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly perAddress: number;
  private readonly freeFailures: number;
  private readonly maxBackoffMs: number;
  private readonly windowMs: number;
  private readonly maxEntries: number;

  constructor(opts: ThrottleOptions | (() => number) = {}) {
    const o = typeof opts === 'function' ? { now: opts } : opts;
    this.now = o.now ?? Date.now;
    this.perAddress = o.perAddress ?? 20;
    this.freeFailures = o.freeFailures ?? 5;
    this.maxBackoffMs = (o.maxBackoffSec ?? 60) * 1000;
    this.windowMs = o.windowMs ?? 15 * 60 * 1000;
    this.maxEntries = o.maxEntries ?? 10_000;
  }

  /** Seconds to wait, or 0 when an attempt is allowed. `known`: the name is an existing account. */
  retryAfter(username: string, address: string, known = false): number {
    const now = this.now();
    let waitMs = 0;
    const a = this.live(this.addresses, address, now);
    if (a && a.count >= this.perAddress) waitMs = a.last + this.windowMs - now;
    const names = known ? this.accounts : this.unknownNames;
    const n = this.live(names, known ? username : this.keyIn(names, username), now);
    if (n && n.count > this.freeFailures) {
      const backoff = Math.min(this.maxBackoffMs, 1000 * 2 ** (n.count - this.freeFailures));
      waitMs = Math.max(waitMs, n.last + backoff - now);
    }
    return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
  }

  /** The entry a key is counted under: its own, or the shared overflow when the table is full. */
  private keyIn(map: Map<string, Entry>, key: string): string {
    return map.has(key) || map.size < this.maxEntries ? key : OVERFLOW;
  }

  failed(username: string, address: string, known = false): void {
    const now = this.now();
    this.bump(this.addresses, address, now, 'skip');
    this.bump(known ? this.accounts : this.unknownNames, username, now, known ? 'unbounded' : 'overflow');
  }

  succeeded(username: string, _address: string): void {
    this.accounts.delete(username);
    this.unknownNames.delete(username);
  }

  /** Entries held, all tables together. */
  size(): number {
    return this.addresses.size + this.accounts.size + this.unknownNames.size;
  }

  private live(map: Map<string, Entry>, key: string, now: number): Entry | undefined {
    const e = map.get(key);
    if (e && e.last + this.windowMs <= now) {
      map.delete(key);
      return undefined;
    }
    return e;
  }

  /** when the table is full of entries in force: skip (the address goes untracked; the account
   *  backoff still bounds guessing, and nobody is locked out as collateral) or count under the
   *  shared overflow entry (unknown names: they back off like a real account would) */
  private bump(map: Map<string, Entry>, key: string, now: number, whenFull: 'skip' | 'overflow' | 'unbounded'): void {
    let k = key;
    if (!this.live(map, k, now) && whenFull !== 'unbounded' && map.size >= this.maxEntries) {
      // make room from entries out of force only (oldest first; a Map keeps insertion order)
      for (const [old, e] of map) {
        if (map.size < this.maxEntries) break;
        if (e.last + this.windowMs <= now) map.delete(old);
        else if (old !== OVERFLOW) break;
      }
      if (map.size >= this.maxEntries) {
        if (whenFull === 'skip') return;
        k = OVERFLOW;
      }
    }
    const e = map.get(k);
    if (e) {
      e.count++;
      e.last = now;
      // keep the Map's order by last failure, so the sweep above finds the stale ones first
      map.delete(k);
      map.set(k, e);
    } else map.set(k, { count: 1, last: now });
  }
}

function normalizeIp(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let s = raw.trim();
  if (s.startsWith('[')) s = s.slice(1, s.indexOf(']') < 0 ? undefined : s.indexOf(']'));
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  if (s.toLowerCase().startsWith('::ffff:') && isIP(s.slice(7)) === 4) s = s.slice(7);
  return isIP(s) ? s.toLowerCase() : undefined;
}

/**
 * The address of the client: the TCP peer, or, when the peer is one of the trusted reverse
 * proxies, the right-most X-Forwarded-For entry that is not itself a trusted proxy. A header from
 * anyone else is ignored (a client cannot pick the address it is throttled under).
 */
export function clientAddress(req: Pick<IncomingMessage, 'socket' | 'headers'>, trusted: ReadonlySet<string>): string {
  const peer = normalizeIp(req.socket.remoteAddress) ?? req.socket.remoteAddress ?? 'unknown';
  if (!trusted.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = list.length - 1; i >= 0; i--) {
    const ip = normalizeIp(list[i]);
    if (!ip) return peer;
    if (!trusted.has(ip)) return ip;
  }
  return list.length ? normalizeIp(list[0]) ?? peer : peer;
}

export interface AuditRow { actor: string; action: string; target: string }

/**
 * Failed logins go to the audit log one row each up to `perMinute` a minute; past that they are
 * counted and written as one `auth.login-failed-aggregate` row when the minute is over, so a
 * guessing run cannot grow the table without bound.
 */
export class FailureAudit {
  private readonly now: () => number;
  private readonly perMinute: number;
  private minuteStart = -Infinity;
  private written = 0;
  private suppressed = 0;
  private suppressedFrom = 0;

  constructor(opts: { now?: () => number; perMinute?: number } = {}) {
    this.now = opts.now ?? Date.now;
    this.perMinute = opts.perMinute ?? 20;
  }

  /** The rows to write for one failure (none, the failure, or an aggregate of earlier ones first). */
  record(actor: string, target: string): AuditRow[] {
    const rows = this.flush();
    if (this.written < this.perMinute) {
      this.written++;
      rows.push({ actor, action: 'auth.login-failed', target });
    } else {
      if (!this.suppressed) this.suppressedFrom = this.now();
      this.suppressed++;
    }
    return rows;
  }

  /** The aggregate row owed for a minute that is over (call it from a timer too). */
  flush(): AuditRow[] {
    const now = this.now();
    if (now - this.minuteStart < 60_000) return [];
    const rows: AuditRow[] = [];
    if (this.suppressed) {
      rows.push({ actor: 'login throttle', action: 'auth.login-failed-aggregate', target: `${this.suppressed} failed logins since ${new Date(this.suppressedFrom).toISOString()} (not written one by one)` });
    }
    this.minuteStart = now;
    this.written = 0;
    this.suppressed = 0;
    return rows;
  }
}
