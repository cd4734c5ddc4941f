// Registered contacts of served users' clients, persisted so a restart keeps them.
import type { Db } from './database';

export interface RegistrationRow {
  userId: string;
  contact: string;
  instance: string | null;
  featureTags: string;
  userAgent: string | null;
  sourceAddr: string;
  expiresAt: Date;
}

export async function upsertRegistration(db: Db, r: RegistrationRow): Promise<void> {
  await db.registration.upsert({
    where: { userId_contact: { userId: r.userId, contact: r.contact } },
    create: r,
    update: { instance: r.instance, featureTags: r.featureTags, userAgent: r.userAgent, sourceAddr: r.sourceAddr, expiresAt: r.expiresAt },
  });
}

export async function removeRegistration(db: Db, userId: string, contact: string): Promise<void> {
  await db.registration.deleteMany({ where: { userId, contact } });
}

export async function liveRegistrations(db: Db, now: Date): Promise<Array<RegistrationRow & { aor: string }>> {
  const rows = await db.registration.findMany({ where: { expiresAt: { gt: now } }, include: { user: { select: { aor: true } } } });
  return rows.map((r) => ({
    userId: r.userId,
    contact: r.contact,
    instance: r.instance,
    featureTags: r.featureTags,
    userAgent: r.userAgent,
    sourceAddr: r.sourceAddr,
    expiresAt: r.expiresAt,
    aor: r.user.aor,
  }));
}
