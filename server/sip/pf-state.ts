// The PF's in-memory state that the pure engine reads: IMDN caches, the indexes of the messages
// served users sent and received, live sessions. The shell owns it and applies effects to it.
import { directEngine, type EngineCalls } from './engine-calls';
import { LoopGuard } from './imdn/loop-guard';
import { ImdnCache } from '../engine/imdn/cache';
import type { GenBuffers } from '../engine/imdn/generate';
import type { Policy } from '../engine/policy';
import { SessionTable } from './session-table';
import { MessageIndex, type UserMessageIndex } from './message-index';

export class PfState {
  readonly rxCache: ImdnCache;
  readonly txCache: ImdnCache;
  /** live sessions by id, and by served user (SessionTable) */
  readonly sessions = new SessionTable();
  /**
   * reports generated on users' behalf waiting for their aggregation window (IMDN-GEN-6), from the
   * pager and the session paths alike; the pager service flushes them when a window ends
   */
  genBuffers: GenBuffers = {};
  /** what the LOOP checks read (D-114) */
  readonly loops = new LoopGuard(() => this.engine);
  /** how the shell calls the engine: recorded for replay when PF_RECORD is on (pf.ts) */
  engine: EngineCalls = directEngine;
  private readonly sent: MessageIndex;
  private readonly received: MessageIndex;

  /**
   * `messageIndexMax`: entries each MessageIndex keeps at most (PF_MESSAGE_INDEX_MAX, D-320);
   * `imdnCacheMax`: entries each IMDN cache keeps at most (PF_IMDN_CACHE_MAX, D-324)
   */
  constructor(
    public policy: Policy,
    opts: { messageIndexMax?: number; imdnCacheMax?: number; now?: () => number } = {},
  ) {
    this.rxCache = new ImdnCache({ name: 'RX', ttlSec: policy.imdnCacheTtlSec, maxEntries: opts.imdnCacheMax });
    this.txCache = new ImdnCache({ name: 'TX', ttlSec: policy.imdnCacheTtlSec, maxEntries: opts.imdnCacheMax });
    // an index entry serves the notifications of its message: it lives as long as their cache entries
    const index = () => new MessageIndex({ maxEntries: opts.messageIndexMax ?? DEFAULT_MESSAGE_INDEX_MAX, ttlMs: () => this.policy.imdnCacheTtlSec * 1000, now: opts.now ?? Date.now });
    this.sent = index();
    this.received = index();
  }

  /** Messages the served user sent, by imdn.Message-ID (IMDN-RX's MessageIndex, AMB-9). */
  sentIndex(servedUser: string): UserMessageIndex {
    return this.sent.of(servedUser);
  }

  /** Messages the served user received, by imdn.Message-ID (IMDN-TX). */
  receivedIndex(servedUser: string): UserMessageIndex {
    return this.received.of(servedUser);
  }
}

/** at about 400 bytes an entry, some 40 MB per index when full (D-320) */
export const DEFAULT_MESSAGE_INDEX_MAX = 100_000;
