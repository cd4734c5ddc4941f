// The MessageIndex (SPEC §7 IMDN-RX input, AMB-9): what the PF knows of the messages its served
// users sent (kind, session) and received (store object, endpoints reached), by imdn.Message-ID.
// It was a Map per user that only grew, for as long as the process ran (D-320). Now an entry lives
// as long as the IMDN caches' entries (policy imdnCacheTtlSec, 7 days by default), and the index
// keeps at most `maxEntries`, the one set longest ago going first. A message whose entry is gone
// is handled as one sent before a restart: its notifications still pass, the service is taken
// from their own headers and the store object is looked up (IMDN-DLV-1, IMDN-TX).
import type { MessageIndexEntry } from '../engine/model';

/** One served user's part of the index, as the services and the engine's lookups use it. */
export interface UserMessageIndex {
  get(messageId: string): MessageIndexEntry | undefined;
  set(messageId: string, entry: MessageIndexEntry): void;
}

interface Kept {
  entry: MessageIndexEntry;
  at: number;
}

export class MessageIndex {
  // one Map for every user: its order is the order entries were set, oldest first
  private readonly byKey = new Map<string, Kept>();
  private readonly views = new Map<string, UserMessageIndex>();

  constructor(private readonly opts: { maxEntries: number; ttlMs: () => number; now: () => number }) {}

  get size(): number {
    return this.byKey.size;
  }

  of(user: string): UserMessageIndex {
    let v = this.views.get(user);
    if (!v) {
      // a header value has no line break: user and id cannot run into each other
      const key = (id: string) => `${user}\n${id}`;
      v = {
        get: (id) => this.get(key(id)),
        set: (id, entry) => this.set(key(id), entry),
      };
      this.views.set(user, v);
    }
    return v;
  }

  private get(key: string): MessageIndexEntry | undefined {
    const k = this.byKey.get(key);
    if (!k) return undefined;
    if (this.opts.now() - k.at > this.opts.ttlMs()) {
      this.byKey.delete(key);
      return undefined;
    }
    return k.entry;
  }

  private set(key: string, entry: MessageIndexEntry): void {
    this.byKey.delete(key);
    this.byKey.set(key, { entry, at: this.opts.now() });
    if (this.byKey.size > this.opts.maxEntries) this.byKey.delete(this.byKey.keys().next().value as string);
  }
}
