// The overview's numbers: registrations, sessions and legs, the deferred queue, decision rates,
// and the health of the SIP edge and of the database.
import type { Pf } from '../../pf';
import type { DecisionRates } from '../../live/decision-rate';
import type { ConsoleServices } from '../../live/console-services';

export interface Overview {
  domain: string;
  startedAt: string;
  sip: {
    host: string;
    port: number;
    transports: string[];
    embeddedEdge: boolean;
    edge: Record<string, number> | null;
  };
  database: { provider: string; ok: boolean; latencyMs: number | null; error: string | null };
  users: number;
  registrations: number;
  activeSessions: number;
  connectedLegs: number;
  deferred: number;
  decisions: DecisionRates & { lastSeq: number | null };
}

const startedAt = new Date().toISOString();

export async function overview(pf: Pf, services: ConsoleServices): Promise<Overview> {
  const db = pf.db.prisma;
  const t0 = performance.now();
  let dbOk = true;
  let dbError: string | null = null;
  let counts = { users: 0, activeSessions: 0, connectedLegs: 0, deferred: 0, lastSeq: null as number | null };
  try {
    const [users, activeSessions, connectedLegs, deferred, last] = await Promise.all([
      db.user.count(),
      db.cpmSession.count({ where: { mode: { not: 'RELEASED' } } }),
      db.leg.count({ where: { state: 'CONNECTED' } }),
      db.deferredItem.count({ where: { deliveredAt: null } }),
      db.decision.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }),
    ]);
    counts = { users, activeSessions, connectedLegs, deferred, lastSeq: last ? Number(last.seq) : null };
  } catch (err) {
    dbOk = false;
    dbError = (err as Error).message;
  }
  const latencyMs = dbOk ? Math.round((performance.now() - t0) * 10) / 10 : null;
  return {
    domain: pf.config.domain,
    startedAt,
    sip: {
      host: pf.sipAddress.host,
      port: pf.sipAddress.port,
      transports: pf.config.sip.transports,
      embeddedEdge: Boolean(pf.edge),
      edge: pf.edge ? { ...pf.edge.stats() } : null,
    },
    database: { provider: pf.db.provider, ok: dbOk, latencyMs, error: dbError },
    users: counts.users,
    registrations: pf.registrar.count(Date.now()),
    activeSessions: counts.activeSessions,
    connectedLegs: counts.connectedLegs,
    deferred: counts.deferred,
    decisions: { ...services.rate.read(), lastSeq: counts.lastSeq },
  };
}
