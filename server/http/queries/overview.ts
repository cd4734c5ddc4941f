// The overview's numbers: registrations, sessions and legs, the deferred queue, decision rates,
// and the health of the SIP edge and of the database.
import type { Pf } from '../../pf';
import type { EdgeStats } from '../../edge';
import type { DecisionRates } from '../../live/decision-rate';
import type { ConsoleServices } from '../../live/console-services';
import { lastDecisionSeq } from '../../store/decision-search';
import { countUndeliveredDeferred } from '../../store/deferred-queue';
import { countConnectedLegs, countLiveSessions } from '../../store/sessions';
import { countUsers } from '../../store/users';

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
  const db = pf.db.store;
  const t0 = performance.now();
  let dbOk = true;
  let dbError: string | null = null;
  let counts = { users: 0, activeSessions: 0, connectedLegs: 0, deferred: 0, lastSeq: null as number | null };
  try {
    const [users, activeSessions, connectedLegs, deferred, lastSeq] = await Promise.all([
      countUsers(db),
      countLiveSessions(db),
      countConnectedLegs(db),
      countUndeliveredDeferred(db),
      lastDecisionSeq(db),
    ]);
    counts = { users, activeSessions, connectedLegs, deferred, lastSeq };
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
      edge: pf.edge ? edgeCounts(pf.edge.stats()) : null,
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

/** The edge's counters as the overview shows them (numbers; the refusals by reason are in /metrics). */
function edgeCounts(stats: EdgeStats): Record<string, number> {
  const { overloadedBy: _byReason, ...counts } = stats;
  return counts;
}
