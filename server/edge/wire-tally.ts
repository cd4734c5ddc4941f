// What the edge's own thread counts of the SIP messages that crossed it, for the PF's metrics
// (D-285): counts by kind, direction, method (and status code), keys joined with TALLY_SEP.
import type { WireMessage } from '../capture/wire';
import { sipLabels } from '../metrics/sip-labels';

export type WireTally = Array<[string, number]>;
export const TALLY_SEP = '\u0000';

/** the tally's key of one message, or undefined for bytes that are not SIP */
export function tallyKey(m: WireMessage): string | undefined {
  const labels = sipLabels(m.head);
  if (!labels) return undefined;
  return labels.kind === 'request' ? ['request', m.direction, labels.method].join(TALLY_SEP) : ['response', m.direction, labels.method, labels.code].join(TALLY_SEP);
}
