// The storage side of engine effects: deferral, Message Store objects and flags. Every call
// resolves only once the write is committed, because the shell answers the sender after it.
import type { DeferredItem, StoredObjectSpec } from '../engine/effects';
import type { StandaloneDelivery } from '../engine/pager/standalone';
import type { Db } from '../store/database';

export interface PendingDeferred {
  id: string;
  item: DeferredItem;
}

export class EffectStore {
  constructor(private readonly db: Db, private readonly userId: (aor: string) => string | undefined) {}

  /** Idempotent by sourceKey: a retransmitted or re-sent request never queues an item twice. */
  async defer(item: DeferredItem, sourceKey: string): Promise<void> {
    const userId = this.userId(item.servedUser);
    if (!userId) throw new Error(`cannot defer for unknown user ${item.servedUser}`);
    await this.db.deferredItem.upsert({
      where: { userId_sourceKey: { userId, sourceKey } },
      create: {
        userId,
        sourceKey,
        kind: item.kind,
        contentType: item.contentType,
        headers: JSON.stringify(item.headers),
        body: item.body,
        messageId: item.messageId ?? null,
        sessionId: item.sessionId ?? null,
        expiresAt: item.expiresAt ? new Date(item.expiresAt) : null,
      },
      update: {},
    });
  }

  async pendingDeferred(aor: string, now: number): Promise<PendingDeferred[]> {
    const userId = this.userId(aor);
    if (!userId) return [];
    const rows = await this.db.deferredItem.findMany({
      where: { userId, deliveredAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date(now) } }] },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => ({
      id: r.id,
      item: {
        kind: r.kind as DeferredItem['kind'],
        servedUser: aor,
        contentType: r.contentType,
        body: r.body,
        headers: JSON.parse(r.headers) as DeferredItem['headers'],
        messageId: r.messageId ?? undefined,
        sessionId: r.sessionId ?? undefined,
        expiresAt: r.expiresAt?.getTime(),
      },
    }));
  }

  async markDelivered(id: string, now: number): Promise<void> {
    await this.db.deferredItem.update({ where: { id }, data: { deliveredAt: new Date(now) } });
  }

  async recordObject(aor: string, folderId: string, o: StoredObjectSpec): Promise<void> {
    const userId = this.userId(aor);
    if (!userId) return;
    await this.db.storedObject.create({
      data: {
        userId,
        folderId,
        kind: o.kind,
        imdnMessageId: o.imdnMessageId ?? null,
        contentType: o.contentType,
        headers: JSON.stringify(o.headers),
        body: o.body,
      },
    });
  }

  /**
   * 8.5: a delivered standalone message, in the conversation-history folder of its Conversation-ID
   * (or of its sender when it has none). Returns the object id.
   */
  async recordMessage(aor: string, d: StandaloneDelivery, now: number): Promise<string | undefined> {
    const userId = this.userId(aor);
    if (!userId) return undefined;
    const first = (name: string) => {
      const v = d.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const conversationId = first('Conversation-ID') ?? `from:${first('From') ?? 'unknown'}`;
    const folder =
      (await this.db.folder.findFirst({ where: { userId, conversationId, kind: 'CONVERSATION' }, select: { id: true } })) ??
      (await this.db.folder.create({ data: { userId, kind: 'CONVERSATION', conversationId }, select: { id: true } }));
    const o = await this.db.storedObject.create({
      data: {
        userId,
        folderId: folder.id,
        kind: 'MESSAGE',
        imdnMessageId: d.messageId ?? null,
        contentType: d.contentType,
        headers: JSON.stringify({ ...d.headers, Date: new Date(now).toUTCString(), 'Message-Direction': 'received' }),
        body: d.body,
      },
      select: { id: true },
    });
    return o.id;
  }

  /** 8.3.1.6.4: a deferred item handed to the Message Store, in its conversation's folder. */
  async storeDeferred(aor: string, p: PendingDeferred, now: number): Promise<void> {
    const userId = this.userId(aor);
    if (!userId) return;
    const h = p.item.headers;
    const conv = (Array.isArray(h['Conversation-ID']) ? h['Conversation-ID'][0] : h['Conversation-ID']) ?? `deferred:${aor}`;
    const folder =
      (await this.db.folder.findFirst({ where: { userId, conversationId: conv, kind: 'CONVERSATION' }, select: { id: true } })) ??
      (await this.db.folder.create({ data: { userId, kind: 'CONVERSATION', conversationId: conv }, select: { id: true } }));
    await this.db.storedObject.create({
      data: {
        userId,
        folderId: folder.id,
        kind: p.item.kind === 'IMDN' ? 'IMDN' : 'MESSAGE',
        imdnMessageId: p.item.messageId ?? null,
        contentType: p.item.contentType,
        headers: JSON.stringify({ ...h, Date: new Date(now).toUTCString(), 'Message-Direction': 'received' }),
        body: p.item.body,
      },
    });
  }

  /** IMAP STORE +FLAGS: idempotent. */
  async setFlag(objectId: string, flag: string): Promise<void> {
    const o = await this.db.storedObject.findUnique({ where: { id: objectId }, select: { flags: true } });
    if (!o) return;
    const flags = new Set(o.flags.split(' ').filter(Boolean));
    if (flags.has(flag)) return;
    flags.add(flag);
    await this.db.storedObject.update({ where: { id: objectId }, data: { flags: [...flags].join(' ') } });
  }

  /** Folder of the stored object whose IMDN-Message-ID is this message-id (IMDN-DLV-4a). */
  async folderOfMessage(aor: string, messageId: string): Promise<string | undefined> {
    const userId = this.userId(aor);
    if (!userId) return undefined;
    const o = await this.db.storedObject.findFirst({ where: { userId, imdnMessageId: messageId, kind: { in: ['MESSAGE', 'FT_HISTORY'] } }, select: { folderId: true } });
    return o?.folderId;
  }

  async objectOfMessage(aor: string, messageId: string): Promise<string | undefined> {
    const userId = this.userId(aor);
    if (!userId) return undefined;
    const o = await this.db.storedObject.findFirst({ where: { userId, imdnMessageId: messageId, kind: { in: ['MESSAGE', 'FT_HISTORY'] } }, select: { id: true } });
    return o?.id;
  }

  async conversationFolder(aor: string, conversationId: string): Promise<string | undefined> {
    const userId = this.userId(aor);
    if (!userId) return undefined;
    const f = await this.db.folder.findFirst({ where: { userId, conversationId, kind: 'CONVERSATION' }, select: { id: true } });
    return f?.id;
  }
}
