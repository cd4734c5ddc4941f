// Session write plans (sessions.ts, planSessionWrite) carried out on the SQLite writer thread
// (D-310): the rows applyPlan writes through Prisma, written with prepared statements off the
// thread that carries SIP. session-writer.sip.test.ts holds both ways to the same rows.
// Plain JavaScript: it runs inside the worker thread, which has no TypeScript loader.

import { sqliteDateTime } from './sqlite-datetime.mjs';

const q = (names) => names.map((c) => `"${c}"`).join(', ');
const SESSION_ROW = ['type', 'conversationId', 'contributionId', 'groupSessionIdentity', 'mode', 'snapshot'];
const LEG_ROW = ['kind', 'device', 'callId', 'state', 'releaseReason', 'releasedAt'];

/** A function that writes a batch of plans in one transaction (all of it, or none and a throw). */
export function sessionPlansWriter(db) {
  const insertSession = db.prepare(`INSERT INTO "CpmSession" (${q(['id', 'userId', ...SESSION_ROW, 'instance', 'createdAt', 'updatedAt', 'endedAt'])}) VALUES (${[...Array(12)].map(() => '?').join(', ')})`);
  const updateSession = db.prepare(`UPDATE "CpmSession" SET ${[...SESSION_ROW, 'endedAt', 'updatedAt'].map((c) => `"${c}" = ?`).join(', ')} WHERE "id" = ?`);
  const insertLeg = db.prepare(`INSERT INTO "Leg" (${q(['id', 'sessionId', 'createdAt', ...LEG_ROW])}) VALUES (${[...Array(9)].map(() => '?').join(', ')})`);
  const updateLeg = db.prepare(`UPDATE "Leg" SET ${LEG_ROW.map((c) => `"${c}" = ?`).join(', ')} WHERE "id" = ?`);
  const rowValues = (r) => [r.type, r.conversationId, r.contributionId, r.groupSessionIdentity, r.mode, r.snapshot];
  const legValues = (d) => [d.kind, d.device, d.callId, d.state, d.releaseReason, sqliteDateTime(d.releasedAt)];
  // Prisma's update of a row that is not there fails the transaction (P2025): so does this
  const changed = (info, what) => {
    if (info.changes === 0) throw new Error(`${what}: no row to update`);
  };
  return db.transaction((plans) => {
    // @updatedAt is the writing client's clock, as Prisma sets it
    const now = sqliteDateTime(Date.now());
    for (const p of plans) {
      const s = p.session;
      if (s.op === 'create') insertSession.run(p.id, s.userId, ...rowValues(s.row), s.instance, sqliteDateTime(s.createdAt), now, sqliteDateTime(s.endedAt));
      else changed(updateSession.run(...rowValues(s.row), sqliteDateTime(s.endedAt), now, p.id), `session ${p.id}`);
      for (const l of p.legs) {
        if (l.op === 'create') insertLeg.run(l.id, p.id, sqliteDateTime(l.createdAt), ...legValues(l.data));
        else changed(updateLeg.run(...legValues(l.data), l.id), `leg ${l.id}`);
      }
    }
  });
}
