// The PF's in-memory state that the pure engine reads: IMDN caches, the index of the served
// users' own messages, live sessions. The shell owns it and applies the engine's effects to it.
import { ImdnCache } from '../engine/imdn/cache';
import type { CpmSession, MessageIndexEntry } from '../engine/model';
import type { Policy } from '../engine/policy';

export class PfState {
  readonly rxCache: ImdnCache;
  readonly txCache: ImdnCache;
  readonly messageIndex = new Map<string, MessageIndexEntry>();
  readonly sessions = new Map<string, CpmSession>();

  constructor(public policy: Policy) {
    this.rxCache = new ImdnCache({ name: 'RX', ttlSec: policy.imdnCacheTtlSec });
    this.txCache = new ImdnCache({ name: 'TX', ttlSec: policy.imdnCacheTtlSec });
  }
}
