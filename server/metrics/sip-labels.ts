// Label values for SIP counters. A method comes off the wire, so any token could arrive; an
// unknown one is counted as OTHER, otherwise a peer inventing methods would grow the metric
// series without bound (each label value is a series Prometheus keeps).
import type { SipHead } from '../capture/sip-head';

const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY',
  'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);

export function methodLabel(method: string | undefined): string {
  return method && KNOWN_METHODS.has(method) ? method : 'OTHER';
}

/** { kind, method, code } for a wire message, or undefined for bytes that are not SIP */
export function sipLabels(head: SipHead): { kind: 'request'; method: string } | { kind: 'response'; method: string; code: string } | undefined {
  if (head.kind === 'request') return { kind: 'request', method: methodLabel(head.method) };
  if (head.kind === 'response' && head.status !== undefined) return { kind: 'response', method: methodLabel(head.method), code: String(head.status) };
  return undefined;
}
