// The counts the metrics endpoint reads at each scrape: this instance's sessions and legs, and
// the deferred queue (shared by every instance on the database).
import type { Db } from './database';

export interface OperationalCounts {
  /** sessions of this instance that are not released, by mode */
  sessionsByMode: Record<string, number>;
  /** legs of this instance's sessions that are not terminated, by state */
  legsByState: Record<string, number>;
  /** deferred items neither delivered nor expired */
  deferredPending: number;
}

export async function operationalCounts(db: Db, instance: string): Promise<OperationalCounts> {
  const [sessions, legs, deferredPending] = await Promise.all([
    db.cpmSession.groupBy({ by: ['mode'], where: { instance, mode: { not: 'RELEASED' } }, _count: { _all: true } }),
    db.leg.groupBy({ by: ['state'], where: { state: { not: 'TERMINATED' }, session: { instance } }, _count: { _all: true } }),
    db.deferredItem.count({ where: { deliveredAt: null, expiredAt: null } }),
  ]);
  return {
    sessionsByMode: Object.fromEntries(sessions.map((s) => [s.mode, s._count._all])),
    legsByState: Object.fromEntries(legs.map((l) => [l.state, l._count._all])),
    deferredPending,
  };
}
