// What the engine asks the shell to do (SPEC §1.1). The engine never performs I/O itself: it
// returns these values and the shell (server/sip) carries them out in order.
import type { DispositionType } from './model';

export type Headers = Record<string, string | string[]>;

export type CacheName = 'RX' | 'TX';

export interface ImdnCacheKey {
  servedUser: string;
  /** RX: the recipient (CPIM From of the notification); TX: the original sender (CPIM To) */
  peer: string;
  messageId: string;
}

export interface DeferredItem {
  kind: 'IMDN' | 'MESSAGE' | 'CHAT_MESSAGE' | 'SESSION_ITEM';
  servedUser: string;
  /** the request as it should be re-sent when a client becomes available */
  contentType: string;
  body: string;
  headers: Headers;
  messageId?: string;
  sessionId?: string;
  /** epoch ms after which the item expires undelivered (IMDN-GEN-1 / GEN-3) */
  expiresAt?: number;
}

export interface StoredObjectSpec {
  kind: 'MESSAGE' | 'IMDN' | 'FT_HISTORY' | 'SESSION_INFO' | 'GSO';
  contentType: string;
  headers: Headers;
  body: string;
  imdnMessageId?: string;
}

/**
 * Where a Message Store object goes. The IMDN path names a folder the store already holds (found by
 * the original message or the Conversation-ID); the session path names the session-history folder
 * (§11.7), which the store creates on first use.
 */
export type FolderRef =
  | { kind: 'STORED'; id: string }
  | { kind: 'SESSION_HISTORY'; conversationId: string; contributionId: string };

/**
 * Whose timer it is: the PF's request services (IMDN aggregation windows, pager) or one session's
 * procedures (BYE relay, re-INVITE retry, PIN). A session timer fires back into that session only.
 */
export type TimerRef = { scope: 'PF'; name: string } | { scope: 'SESSION'; sessionId: string; name: string };

export function pfTimer(name: string): TimerRef {
  return { scope: 'PF', name };
}

export function sessionTimer(sessionId: string, name: string): TimerRef {
  return { scope: 'SESSION', sessionId, name };
}

/** One printable form of a folder reference, for decisions and test labels. */
export function folderLabel(f: FolderRef): string {
  return f.kind === 'STORED' ? f.id : `${f.conversationId}/${f.contributionId}`;
}

export type Effect =
  | { kind: 'SEND_REQ'; leg: string; method: string; uri?: string; headers: Headers; body?: string }
  | { kind: 'SEND_RESP'; txn: string; code: number; reason: string; headers?: Headers }
  | { kind: 'FWD_REQ'; toLeg: string }
  | { kind: 'FWD_RESP'; toLeg: string }
  | { kind: 'RELEASE_MEDIA'; legs: string[] | 'ALL' }
  | { kind: 'STOP_MEDIA'; legs: string[] }
  | { kind: 'RECORD_SESSION'; sessionId: string }
  | { kind: 'RECORD_OBJECT'; folder: FolderRef; object: StoredObjectSpec }
  | { kind: 'STORE_GSO'; folder: FolderRef; body: string; object?: StoredObjectSpec }
  | { kind: 'SET_FLAG'; objectRef: string; flag: '\\Seen' }
  | { kind: 'DEFER'; item: DeferredItem }
  | { kind: 'CACHE_PUT'; cache: CacheName; key: ImdnCacheKey; type: DispositionType; status: string }
  | {
      kind: 'SUBSCRIBE_CONF';
      sessionId: string;
      expires: number;
      /** §6.1 request line and headers (the shell adds Via, Call-ID, CSeq, tags and the PF's own Contact) */
      uri?: string;
      headers?: Headers;
      /** true: refresh inside the existing subscription dialog; otherwise a new dialog (AMB-43) */
      inDialog?: boolean;
    }
  | { kind: 'SET_MODE'; sessionId: string; mode: 'ACTIVE' | 'REMAIN_DISCONNECTED' | 'RELEASED' }
  | { kind: 'DROP'; reason: string }
  | { kind: 'MSRP_RESP'; chunk: string; code: number }
  | { kind: 'MSRP_RELAY'; toLeg: string }
  | { kind: 'START_TIMER'; timer: TimerRef; ms: number }
  | { kind: 'CANCEL_TIMER'; timer: TimerRef }
  | { kind: 'DISPATCH'; handler: string; skip: string[] };

export type EffectKind = Effect['kind'];
