// IMDN-GEN-5 (SPEC §10, AMB-49): does an address belong to the home network? Numbers are judged
// by E.164 prefix, because a gateway may write any host next to a number; other SIP URIs by host.
import { uriIdentity } from '../parse/uri';
import type { Policy } from '../policy';

export interface NetworkVerdict {
  home: boolean;
  basis: 'NUMBER_RANGE' | 'DOMAIN' | 'UNKNOWN';
  /** the matched range or domain, when home */
  match?: string;
  value: string;
}

export function homeNetworkOf(uri: string, policy: Pick<Policy, 'homeDomains' | 'homeNumberRanges'>): NetworkVerdict {
  const id = uriIdentity(uri);
  if (id.kind === 'E164') {
    let best: string | undefined;
    for (const r of policy.homeNumberRanges) {
      const prefix = r.replace(/[-.() ]/g, '');
      if (prefix && id.number.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    return { home: best !== undefined, basis: 'NUMBER_RANGE', match: best, value: id.number };
  }
  if (id.kind === 'SIP') {
    const host = id.host;
    const match = policy.homeDomains.map((d) => d.toLowerCase()).find((d) => host === d || host.endsWith(`.${d}`));
    return { home: match !== undefined, basis: 'DOMAIN', match, value: host };
  }
  // A local number or another scheme cannot be placed: treat it as foreign so nothing is aggregated.
  return { home: false, basis: 'UNKNOWN', value: id.kind === 'LOCAL_NUMBER' ? id.digits : id.uri };
}
