// What IMDN delivery needs to know about one registered client of the served user (SPEC §8,
// §10 IMDN-GEN-2). The shell's registrar builds these from REGISTER Contact headers.
import { CPM_ICSI, type CpmService } from '../parse/feature-tags';
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

/** IMDN-DLV-1: the client registered the ICSI of the original service. */
export function isSuitable(reg: ClientRegistration, service: CpmService): boolean {
  const want = CPM_ICSI[service];
  return reg.icsis.some((i) => i.trim().toLowerCase() === want);
}
