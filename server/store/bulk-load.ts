// Loading many rows at once, without the one-by-one checks of the write paths (storeObject's
// de-duplication, the decision log's batching): for filling a throwaway database with volume, as
// the store benchmark does (bench/seed-store.ts). Not for the PF's own writes.
import { bodyToColumn } from './body-codec';
import type { Db } from './database';
import type { ObjectKind } from './message-store';

export interface BulkDecision {
  seq: number;
  at: Date;
  userId: string | null;
  procedure: string;
  branch: string;
  outcome: string;
  summary: string;
  messageId?: string | null;
  disposition?: string | null;
  callId?: string | null;
  inputs: Record<string, unknown>;
}

export interface BulkObject {
  userId: string;
  folderId: string;
  kind: ObjectKind;
  imdnMessageId?: string | null;
  contentType: string;
  headers: Record<string, string>;
  body: string;
  flags: string[];
  createdAt: Date;
}

/** Creates the users that do not exist yet; returns every user's id by AOR. */
export async function bulkUsers(db: Db, users: Array<{ aor: string; displayName?: string }>): Promise<Record<string, string>> {
  await db.user.createMany({ data: users.map((u) => ({ aor: u.aor, displayName: u.displayName ?? null })) });
  return Object.fromEntries((await db.user.findMany({ select: { id: true, aor: true } })).map((u) => [u.aor, u.id]));
}

export async function bulkDecisions(db: Db, rows: BulkDecision[]): Promise<void> {
  await db.decision.createMany({
    data: rows.map((r) => ({
      seq: r.seq, at: r.at, userId: r.userId, procedure: r.procedure, branch: r.branch, outcome: r.outcome, summary: r.summary,
      messageId: r.messageId ?? null, disposition: r.disposition ?? null, callId: r.callId ?? null, inputs: JSON.stringify(r.inputs),
    })),
  });
}

export async function bulkObjects(db: Db, rows: BulkObject[]): Promise<void> {
  await db.storedObject.createMany({
    data: rows.map((r) => ({
      userId: r.userId, folderId: r.folderId, kind: r.kind, imdnMessageId: r.imdnMessageId ?? null, contentType: r.contentType,
      headers: JSON.stringify(r.headers), body: bodyToColumn(r.body), flags: r.flags.join(' '), createdAt: r.createdAt,
    })),
  });
}
