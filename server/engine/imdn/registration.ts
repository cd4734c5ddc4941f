// What IMDN delivery needs to know about one registered client of the served user (SPEC §8,
// §10 IMDN-GEN-2). The shell's registrar builds these from REGISTER Contact headers.
import type { Headers } from '../effects';
import { parseAcceptContact } from '../parse/accept-contact';
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

const listOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** ICSIs that can name the service of an original message (DSP-1: not deferred, not systemmsg). */
const ORIGINAL_SERVICE = (s: CpmService | undefined): s is CpmService => s !== undefined && s !== 'deferred' && s !== 'systemmsg';

/**
 * The service an IMDN belongs to, for IMDN-DLV-1: the original message's kind when the PF knows
 * it; else the P-Asserted-Service; else the first CPM ICSI of the IMDN's own Accept-Contact (an
 * IMDN travels with the ICSI of the original service, DSP-1a); only then the pager-mode default.
 */
export function imdnServiceOf(original: Pick<MessageIndexEntry, 'kind'> | undefined, headers: Headers): { service: CpmService; basis: 'ORIGINAL' | 'P-Asserted-Service' | 'Accept-Contact' | 'DEFAULT' } {
  if (original) return { service: serviceOfOriginal(original), basis: 'ORIGINAL' };
  const pas = listOf(headers['P-Asserted-Service']).map((v) => cpmServiceOf(v.trim().replace(/^<|>$/g, ''))).find(ORIGINAL_SERVICE);
  if (pas) return { service: pas, basis: 'P-Asserted-Service' };
  const ac = parseAcceptContact(listOf(headers['Accept-Contact']));
  const fromAc = ac.ok ? ac.value.icsis.find(ORIGINAL_SERVICE) : undefined;
  if (fromAc) return { service: fromAc, basis: 'Accept-Contact' };
  return { service: 'msg', basis: 'DEFAULT' };
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
