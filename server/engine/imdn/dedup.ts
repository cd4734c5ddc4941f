// The duplicate-suppression core shared by IMDN-RX (§7) and IMDN-TX-2 (§9): given the cache record
// for the key and the notification, decide forward or drop and name the spec branch. Branch ids
// are always the IMDN-RX ones; the TX caller reports them under its own procedure.
import type { ImdnCacheEntry, ImdnTypeRecord } from './cache';
import type { Policy } from '../policy';
import type { ImdnNotification } from '../parse/imdn';

export type DedupBranch =
  | 'IMDN-RX-2x'
  | 'IMDN-RX-3'
  | 'IMDN-RX-2b'
  | 'IMDN-RX-2a-i'
  | 'IMDN-RX-2a-ii-1'
  | 'IMDN-RX-2a-iii-1'
  | 'IMDN-RX-2a-iii-2'
  | 'IMDN-RX-2y'
  | 'IMDN-RX-2a-iv';

export interface DedupInput {
  imdn: ImdnNotification;
  entry: ImdnCacheEntry | undefined;
  cacheEmptyForUser: boolean;
  /** the message is a CHAT message and the isComposing rule's condition holds for it */
  isChat: boolean;
  isComposingSeen: boolean;
  policy: Policy;
}

export interface DedupOutcome {
  branch: DedupBranch;
  forward: boolean;
  /** DROP reason word (SPEC §7) */
  dropReason?: string;
  cachePut: boolean;
  /** the record for this type before the decision, for the decision log */
  record?: ImdnTypeRecord;
}

/** IMDN-RX-status (AMB-10): was "a disposition of the same type already sent"? */
export function sameTypeAlreadySent(rec: ImdnTypeRecord | undefined, status: string, positive: boolean, mode: Policy['imdnDedupKey']): boolean {
  if (!rec) return false;
  switch (mode) {
    case 'TYPE':
      return true;
    case 'TYPE_AND_STATUS':
      return rec.statuses.includes(status);
    case 'STATUS_RANKED':
      return !(positive && !rec.positive);
  }
}

export function decideDedup(i: DedupInput): DedupOutcome {
  const { imdn, entry, policy } = i;
  const iscRule = imdn.type === 'interworking' && i.isChat && i.isComposingSeen;
  if (!entry) {
    if (policy.isComposingRuleWithoutCacheHit && iscRule) {
      return { branch: 'IMDN-RX-2x', forward: false, dropReason: 'interworking-after-iscomposing', cachePut: false };
    }
    return { branch: i.cacheEmptyForUser ? 'IMDN-RX-3' : 'IMDN-RX-2b', forward: true, cachePut: true };
  }
  const T = entry.types;
  const record = T[imdn.type];
  const drop = (branch: DedupBranch, dropReason: string): DedupOutcome => ({ branch, forward: false, dropReason, cachePut: false, record });
  if (sameTypeAlreadySent(record, imdn.status, imdn.polarity === 'positive', policy.imdnDedupKey)) return drop('IMDN-RX-2a-i', 'duplicate-type');
  if (imdn.type === 'delivery' && T.interworking) return drop('IMDN-RX-2a-ii-1', 'delivery-after-interworking');
  if (imdn.type === 'interworking' && T.display) return drop('IMDN-RX-2a-iii-1', 'interworking-after-display');
  if (iscRule) return drop('IMDN-RX-2a-iii-2', 'interworking-after-iscomposing');
  if (policy.suppressInterworkingAfterDelivery && imdn.type === 'interworking' && T.delivery) {
    return drop('IMDN-RX-2y', 'interworking-after-delivery');
  }
  return { branch: 'IMDN-RX-2a-iv', forward: true, cachePut: true, record };
}

/** Operator wording for each outcome. */
export function dedupSummary(o: DedupOutcome, imdn: ImdnNotification, peer: string, toWhom: string): string {
  const what = `${imdn.type} notification (${imdn.status}) for message ${imdn.messageId} from ${peer}`;
  switch (o.branch) {
    case 'IMDN-RX-3':
      return `First notification cached for ${toWhom}: the ${what} is recorded and forwarded.`;
    case 'IMDN-RX-2b':
      return `Message ${imdn.messageId} from ${peer} was not cached yet: the ${what} is recorded and forwarded.`;
    case 'IMDN-RX-2a-i':
      return `Duplicate dropped: a ${imdn.type} notification for message ${imdn.messageId} from ${peer} was already forwarded, so this ${imdn.status} is not.`;
    case 'IMDN-RX-2a-ii-1':
      return `Dropped: the message ${imdn.messageId} already went through interworking for ${peer}, so a later delivery notification is not forwarded.`;
    case 'IMDN-RX-2a-iii-1':
      return `Dropped: ${peer} already displayed message ${imdn.messageId}, so the interworking notification is not forwarded.`;
    case 'IMDN-RX-2a-iii-2':
    case 'IMDN-RX-2x':
      return `Dropped: an isComposing was seen in the chat of message ${imdn.messageId}, so its interworking notification from ${peer} is not forwarded.`;
    case 'IMDN-RX-2y':
      return `Dropped by policy: ${peer} already delivered message ${imdn.messageId}, so the interworking notification is not forwarded.`;
    case 'IMDN-RX-2a-iv':
      return `No earlier ${imdn.type} notification for message ${imdn.messageId} from ${peer}: the ${imdn.status} is recorded and forwarded.`;
  }
}
