// The PF's in-memory state that the pure engine reads: IMDN caches, the indexes of the messages
// served users sent and received, live sessions. The shell owns it and applies effects to it.
import { directEngine, type EngineCalls } from './engine-calls';
import { LoopGuard } from './imdn/loop-guard';
import { ImdnCache } from '../engine/imdn/cache';
import type { GenBuffers } from '../engine/imdn/generate';
import type { MessageIndexEntry } from '../engine/model';
import type { Policy } from '../engine/policy';
import { SessionTable } from './session-table';

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
  private readonly sent = new Map<string, Map<string, MessageIndexEntry>>();
  private readonly received = new Map<string, Map<string, MessageIndexEntry>>();

  constructor(public policy: Policy) {
    this.rxCache = new ImdnCache({ name: 'RX', ttlSec: policy.imdnCacheTtlSec });
    this.txCache = new ImdnCache({ name: 'TX', ttlSec: policy.imdnCacheTtlSec });
  }

  /** Messages the served user sent, by imdn.Message-ID (IMDN-RX's MessageIndex, AMB-9). */
  sentIndex(servedUser: string): Map<string, MessageIndexEntry> {
    return indexOf(this.sent, servedUser);
  }

  /** Messages the served user received, by imdn.Message-ID (IMDN-TX). */
  receivedIndex(servedUser: string): Map<string, MessageIndexEntry> {
    return indexOf(this.received, servedUser);
  }
}

function indexOf(all: Map<string, Map<string, MessageIndexEntry>>, user: string): Map<string, MessageIndexEntry> {
  let m = all.get(user);
  if (!m) all.set(user, (m = new Map()));
  return m;
}
