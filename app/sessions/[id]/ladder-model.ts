// The ladder diagram's data: lanes (the PF in the middle, clients left, the network right) and
// one step per SIP message or engine decision, in time order.
import type { DecisionRecord, LegView, SipMessageRecord } from '../../../server/live/events';

export interface Lane {
  id: string;
  label: string;
  sub: string;
}

export type Step =
  | { kind: 'sip'; at: string; key: string; from: number; to: number; label: string; response: boolean; m: SipMessageRecord }
  | { kind: 'decision'; at: string; key: string; lane: number; label: string; d: DecisionRecord };

export const PF_LANE = 'PF';

export function lanesOf(legs: LegView[]): Lane[] {
  const clients = legs.filter((l) => l.kind === 'CLIENT');
  const network = legs.filter((l) => l.kind !== 'CLIENT');
  const lane = (l: LegView): Lane => ({ id: l.id, label: l.kind === 'CLIENT' ? (l.device ?? 'client') : l.kind, sub: l.callId });
  return [...clients.map(lane), { id: PF_LANE, label: 'PF', sub: 'this PF' }, ...network.map(lane)];
}

export function stepsOf(lanes: Lane[], legs: LegView[], messages: SipMessageRecord[], decisions: DecisionRecord[]): Step[] {
  const pf = lanes.findIndex((l) => l.id === PF_LANE);
  const laneOfLeg = new Map(lanes.map((l, i) => [l.id, i]));
  const laneOfCall = new Map(legs.map((l) => [l.callId, laneOfLeg.get(l.id)!]));
  const steps: Step[] = [];
  for (const m of messages) {
    const far = (m.legId ? laneOfLeg.get(m.legId) : undefined) ?? laneOfCall.get(m.callId);
    if (far === undefined) continue;
    const label = m.status !== undefined ? `${m.status} (${m.method})` : m.method;
    steps.push({ kind: 'sip', at: m.at, key: `m${m.seq}`, from: m.direction === 'in' ? far : pf, to: m.direction === 'in' ? pf : far, label, response: m.status !== undefined, m });
  }
  for (const d of decisions) steps.push({ kind: 'decision', at: d.at, key: `d${d.seq}`, lane: pf, label: `${d.branch} → ${d.outcome}`, d });
  // time order; at equal times a message comes before the decision it caused
  return steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind === b.kind ? 0 : a.kind === 'sip' ? -1 : 1));
}
