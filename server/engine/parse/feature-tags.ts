// CPM ICSIs and related tags (SPEC §12.8, OMA CPM Appendix H), in decoded form.

export type CpmService = 'msg' | 'largemsg' | 'deferred' | 'session' | 'filetransfer' | 'systemmsg';

const ICSI_PREFIX = 'urn:urn-7:3gpp-service.ims.icsi.oma.cpm.';

export const CPM_ICSI: Record<CpmService, string> = {
  msg: `${ICSI_PREFIX}msg`,
  largemsg: `${ICSI_PREFIX}largemsg`,
  deferred: `${ICSI_PREFIX}deferred`,
  session: `${ICSI_PREFIX}session`,
  filetransfer: `${ICSI_PREFIX}filetransfer`,
  systemmsg: `${ICSI_PREFIX}systemmsg`,
};

export const ICSI_TAG = '+g.3gpp.icsi-ref';
export const IARI_TAG = '+g.3gpp.iari-ref';
/** Contact tag a client registers to accept aggregated IMDNs [O]. */
export const IMDN_AGGREGATION_TAG = 'imdn-aggregation';

const BY_ICSI = new Map<string, CpmService>(
  (Object.entries(CPM_ICSI) as Array<[CpmService, string]>).map(([svc, icsi]) => [icsi, svc]),
);

/** The CPM service a decoded ICSI names (compared case-insensitively), or undefined. */
export function cpmServiceOf(icsi: string): CpmService | undefined {
  return BY_ICSI.get(icsi.trim().toLowerCase());
}

/** Percent-decoding that never throws: malformed escapes stay as they are. */
export function percentDecode(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = run.match(/%[0-9A-Fa-f]{2}/g)!.map((h) => parseInt(h.slice(1), 16));
    return utf8OrLatin1(bytes);
  });
}

function utf8OrLatin1(bytes: number[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    const tail = bytes.slice(i + 1, i + len);
    if (len > 1 && tail.length === len - 1 && tail.every((t) => (t & 0xc0) === 0x80)) {
      let cp = b & (0xff >> (len + 1));
      for (const t of tail) cp = (cp << 6) | (t & 0x3f);
      const min = [0, 0, 0x80, 0x800, 0x10000][len];
      if (cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) {
        out += String.fromCodePoint(cp);
        i += len;
        continue;
      }
    }
    out += String.fromCharCode(b); // not UTF-8: keep the byte as a Latin-1 character
    i += 1;
  }
  return out;
}
