import { SipMessage } from './message';
import { parseCSeq, parseNameAddr, parseUri, parseVia, type Via } from './headers';

/** Why a request must be rejected with 400, or undefined when it is well formed. */
export function requestProblem(m: SipMessage): string | undefined {
  const checked = checkRequest(m);
  return typeof checked === 'string' ? checked : undefined;
}

/**
 * Why a request must be rejected with 400, or its top Via, parsed: the edge reads the top Via
 * again for the transaction key and the received/rport stamp, and parsing it once was the point
 * (D-340).
 */
export function checkRequest(m: SipMessage): string | { topVia: Via } {
  if (!parseUri(m.uri) && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(m.uri)) return 'bad Request-URI';
  const vias = m.getAll('via');
  if (vias.length === 0) return 'missing Via';
  const topVia = parseVia(vias[0]);
  if (!topVia) return 'bad Via';
  for (let i = 1; i < vias.length; i++) if (!parseVia(vias[i])) return 'bad Via';
  for (const name of ['from', 'to', 'call-id', 'cseq']) {
    const all = m.getAll(name);
    if (all.length === 0) return `missing ${name}`;
    if (all.length > 1) return `duplicate ${name}`;
  }
  const from = parseNameAddr(m.get('from')!);
  if (!from || from.uri === '*') return 'bad From';
  const to = parseNameAddr(m.get('to')!);
  if (!to || to.uri === '*') return 'bad To';
  if (!/^\S+$/.test(m.get('call-id')!)) return 'bad Call-ID';
  const cseq = parseCSeq(m.get('cseq'));
  if (!cseq) return 'bad CSeq';
  if (cseq.method !== m.method) return 'CSeq method does not match';
  const mf = m.get('max-forwards');
  if (mf !== undefined && !/^\d{1,3}$/.test(mf)) return 'bad Max-Forwards';
  for (const c of m.getAll('contact')) if (c !== '*' && !parseNameAddr(c)) return 'bad Contact';
  for (const r of [...m.getAll('route'), ...m.getAll('record-route')]) if (!parseNameAddr(r)) return 'bad Route';
  const exp = m.get('expires');
  if (exp !== undefined && !/^\d{1,10}$/.test(exp)) return 'bad Expires';
  return { topVia };
}

/** Responses failing this are dropped (RFC 3261 18.1.2: no way to answer a response). */
export function responseProblem(m: SipMessage): string | undefined {
  if (m.status < 100 || m.status > 699) return 'bad status';
  const vias = m.getAll('via');
  if (vias.length === 0 || !parseVia(vias[0])) return 'bad Via';
  if (!m.get('call-id')) return 'missing Call-ID';
  if (!parseCSeq(m.get('cseq'))) return 'bad CSeq';
  if (!m.get('from') || !m.get('to')) return 'missing From/To';
  return undefined;
}
