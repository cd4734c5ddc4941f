// What IMDN delivery needs to know about one registered client of the served user (SPEC §8,
// §10 IMDN-GEN-2). The shell's registrar builds these from REGISTER Contact headers.
import { CPM_ICSI, cpmServiceOf, type CpmService } from '../parse/feature-tags';
import type { Policy } from '../policy';
import type { MessageIndexEntry } from '../model';

export interface ClientRegistration {
  /** the registered contact URI; also the target of requests the PF sends to this client */
  contact: string;
  /** decoded ICSIs from the Contact's +g.3gpp.icsi-ref (compared case-insensitively) */
  icsis: string[];
  /** the bare 'imdn-aggregation' Contact feature tag was registered [O] */
  imdnAggregation: boolean;
  userAgent?: string;
}

/** The CPM service whose ICSI an IMDN about this original travels with (EXAMPLES E7). */
export function serviceOfOriginal(original: Pick<MessageIndexEntry, 'kind'> | undefined, fallback: CpmService = 'msg'): CpmService {
  switch (original?.kind) {
    case 'CHAT':
      return 'session';
    case 'FT':
      return 'filetransfer';
    case 'STANDALONE':
      return 'msg';
    default:
      return fallback;
  }
}

/** The client registered no CPM ICSI at all: a stock SIP client, not a CPM client. */
export function isUntagged(reg: Pick<ClientRegistration, 'icsis'>): boolean {
  return !reg.icsis.some((i) => cpmServiceOf(i) !== undefined);
}

/**
 * IMDN-DLV-1 / 11.1-4: the client registered the ICSI of the original service, or registered no
 * CPM ICSI at all and the provider counts such clients as suitable (D-111).
 */
export function isSuitable(reg: ClientRegistration, service: CpmService, policy: Pick<Policy, 'untaggedClientsSuitable'>): boolean {
  if (isUntagged(reg)) return policy.untaggedClientsSuitable;
  const want = CPM_ICSI[service];
  return reg.icsis.some((i) => i.trim().toLowerCase() === want);
}
