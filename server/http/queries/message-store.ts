// A user's Message Store (SPEC §11.7) and deferred queue (§11.3), as the console shows them.
import { bodyForDisplay } from '../../store/body-codec';
import type { Db } from '../../store/database';
import { listDeferred } from '../../store/deferred-queue';
import { foldersWithObjects } from '../../store/message-store';
import { userIdOf } from '../../store/users';
import { notFound } from '../http-error';

export interface StoredObjectView {
  id: string;
  kind: string;
  imdnMessageId: string | null;
  contentType: string;
  headers: Record<string, unknown>;
  body: string;
  flags: string[];
  participants: unknown;
  createdAt: string;
}

export interface FolderView {
  id: string;
  kind: string;
  conversationId: string;
  contributionId: string | null;
  parentId: string | null;
  createdAt: string;
  objects: StoredObjectView[];
}

export interface DeferredView {
  id: string;
  kind: string;
  contentType: string;
  messageId: string | null;
  sessionId: string | null;
  createdAt: string;
  expiresAt: string | null;
  deliveredAt: string | null;
  body: string;
}

const BODY_PREVIEW = 4000;

export async function messageStoreOf(db: Db, aor: string): Promise<{ folders: FolderView[]; deferred: DeferredView[] }> {
  const userId = await userIdOf(db, aor);
  if (!userId) throw notFound(`${aor} is not a served user`);
  const [folders, deferred] = await Promise.all([foldersWithObjects(db, userId), listDeferred(db, userId)]);
  return {
    folders: folders.map((f) => ({
      id: f.id,
      kind: f.kind,
      conversationId: f.conversationId,
      contributionId: f.contributionId,
      parentId: f.parentId,
      createdAt: f.createdAt.toISOString(),
      objects: f.objects.map((o) => ({
        id: o.id,
        kind: o.kind,
        imdnMessageId: o.imdnMessageId,
        contentType: o.contentType,
        headers: o.headers as Record<string, unknown>,
        body: preview(o.body),
        flags: o.flags,
        participants: o.participants,
        createdAt: o.createdAt.toISOString(),
      })),
    })),
    deferred: deferred.map((d) => ({
      id: d.id,
      kind: d.kind,
      contentType: d.contentType,
      messageId: d.messageId,
      sessionId: d.sessionId,
      createdAt: d.createdAt.toISOString(),
      expiresAt: d.expiresAt?.toISOString() ?? null,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      body: preview(d.body),
    })),
  };
}

/** What the console shows of a stored body: its text (bytes decoded as UTF-8), cut to a preview. */
function preview(body: string): string {
  const text = bodyForDisplay(body);
  return text.length > BODY_PREVIEW ? `${text.slice(0, BODY_PREVIEW)}…` : text;
}
