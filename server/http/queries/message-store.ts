// A user's Message Store (SPEC §11.7) and deferred queue (§11.3), as the console shows them.
import { bodyForDisplay, bodyFromColumn } from '../../store/body-codec';
import type { Db } from '../../store/database';
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

function json(s: string | null): unknown {
  if (s === null) return null;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}

const BODY_PREVIEW = 4000;

export async function messageStoreOf(db: Db, aor: string): Promise<{ folders: FolderView[]; deferred: DeferredView[] }> {
  const user = await db.user.findUnique({ where: { aor }, select: { id: true } });
  if (!user) throw notFound(`${aor} is not a served user`);
  const [folders, deferred] = await Promise.all([
    db.folder.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: 'asc' },
      include: { objects: { orderBy: { createdAt: 'asc' }, take: 500 } },
      take: 200,
    }),
    db.deferredItem.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' }, take: 500 }),
  ]);
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
        headers: (json(o.headers) ?? {}) as Record<string, unknown>,
        body: preview(o.body),
        flags: o.flags.split(/\s+/).filter(Boolean),
        participants: json(o.participants),
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
function preview(column: string): string {
  const text = bodyForDisplay(bodyFromColumn(column));
  return text.length > BODY_PREVIEW ? `${text.slice(0, BODY_PREVIEW)}…` : text;
}
