// The storage side of engine effects for the SIP shell, over the store's repositories: deferral,
// Message Store objects and flags. Every call resolves only once the write is committed, because
// the shell answers the sender after it.
import type { DeferredItem, FolderRef, StoredObjectSpec } from '../engine/effects';
import type { StandaloneDelivery } from '../engine/pager/standalone';
import type { Db } from '../store/database';
import { enqueueDeferred, markDeferredDelivered, pendingDeferred } from '../store/deferred-queue';
import { conversationFolder, findByImdnMessageId, findConversationFolder, setFlag, storeObject } from '../store/message-store';
import { sessionFolder } from './session/history-store';

export interface PendingDeferred {
  id: string;
  item: DeferredItem;
}

const ORIGINALS: StoredObjectSpec['kind'][] = ['MESSAGE', 'FT_HISTORY'];
export const DEFERRED_PAGE = 500;

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export class EffectStore {
  constructor(
    private readonly db: Db,
    private readonly userId: (aor: string) => string | undefined,
    /** how long a deferred item waits for a client before it expires (IMDN-GEN-1 on expiry) */
    private readonly deferredTtlMs: number,
    /** pending items one user's queue may hold (PF_DEFERRED_MAX_PER_USER, D-134) */
    private readonly maxDeferredPerUser?: number,
  ) {}

  /**
   * Idempotent by sourceKey: a retransmitted or re-sent request never queues an item twice.
   * With `quota`, throws DeferredQueueFull when the user's queue is full.
   */
  async defer(item: DeferredItem, sourceKey: string, now: number, opts: { quota?: boolean } = {}): Promise<void> {
    const userId = this.userId(item.servedUser);
    if (!userId) throw new Error(`cannot defer for unknown user ${item.servedUser}`);
    await enqueueDeferred(this.db, userId, sourceKey, { ...item, expiresAt: item.expiresAt ?? now + this.deferredTtlMs }, new Date(now), opts.quota ? this.maxDeferredPerUser : undefined);
  }

  /** A page of the user's queue, oldest first. */
  async pendingDeferred(aor: string, now: number, limit = DEFERRED_PAGE): Promise<PendingDeferred[]> {
    const userId = this.userId(aor);
    if (!userId) return [];
    return (await pendingDeferred(this.db, userId, new Date(now), limit)).map((q) => ({ id: q.id, item: q.item }));
  }

  async markDelivered(id: string, now: number): Promise<void> {
    await markDeferredDelivered(this.db, id, new Date(now));
  }

  /** The store's folder id of a reference; the session-history folder is created on first use (§11.7). */
  async folderId(aor: string, folder: FolderRef): Promise<string | undefined> {
    if (folder.kind === 'STORED') return folder.id;
    const userId = this.userId(aor);
    return userId ? sessionFolder(this.db, userId, `${folder.conversationId}/${folder.contributionId}`) : undefined;
  }

  /** Idempotent: an object already in the folder is not stored twice (AMB-50). */
  async recordObject(aor: string, folderId: string, object: StoredObjectSpec, participants?: unknown): Promise<void> {
    const userId = this.userId(aor);
    if (userId) await storeObject(this.db, { userId, folderId, object, participants });
  }

  /**
   * 8.5: a delivered standalone message, in the conversation-history folder of its Conversation-ID
   * (or of its sender when it has none). Returns the object id.
   */
  async recordMessage(aor: string, d: StandaloneDelivery, now: number): Promise<string | undefined> {
    const userId = this.userId(aor);
    if (!userId) return undefined;
    const conversationId = firstValue(d.headers['Conversation-ID']) ?? `from:${firstValue(d.headers.From) ?? 'unknown'}`;
    const folder = await conversationFolder(this.db, userId, conversationId);
    const headers = { ...d.headers, Date: new Date(now).toUTCString(), 'Message-Direction': 'received' };
    const stored = await storeObject(this.db, {
      userId,
      folderId: folder.id,
      object: { kind: 'MESSAGE', contentType: d.contentType, headers, body: d.body, imdnMessageId: d.messageId },
    });
    return stored.id;
  }

  /** 8.3.1.6.4: a deferred item handed to the Message Store, in its conversation's folder. */
  async storeDeferred(aor: string, p: PendingDeferred, now: number): Promise<void> {
    const userId = this.userId(aor);
    if (!userId) return;
    const h = p.item.headers;
    const folder = await conversationFolder(this.db, userId, firstValue(h['Conversation-ID']) ?? `deferred:${aor}`);
    await storeObject(this.db, {
      userId,
      folderId: folder.id,
      object: {
        kind: p.item.kind === 'IMDN' ? 'IMDN' : 'MESSAGE',
        contentType: p.item.contentType,
        headers: { ...h, Date: new Date(now).toUTCString(), 'Message-Direction': 'received' },
        body: p.item.body,
        imdnMessageId: p.item.messageId,
      },
    });
  }

  /** IMAP STORE +FLAGS: idempotent. */
  async setFlag(objectId: string, flag: string): Promise<void> {
    await setFlag(this.db, objectId, flag);
  }

  /** Folder of the stored original whose IMDN-Message-ID is this message-id (IMDN-DLV-4a). */
  async folderOfMessage(aor: string, messageId: string): Promise<string | undefined> {
    return (await this.original(aor, messageId))?.folderId;
  }

  async objectOfMessage(aor: string, messageId: string): Promise<string | undefined> {
    return (await this.original(aor, messageId))?.id;
  }

  /** The conversation-history folder of a Conversation-ID, if it exists (IMDN-DLV-4d). */
  async conversationFolder(aor: string, conversationId: string): Promise<string | undefined> {
    const userId = this.userId(aor);
    if (!userId) return undefined;
    return (await findConversationFolder(this.db, userId, conversationId))?.id;
  }

  private async original(aor: string, messageId: string) {
    const userId = this.userId(aor);
    if (!userId) return undefined;
    return (await findByImdnMessageId(this.db, userId, messageId, ORIGINALS))[0];
  }
}
