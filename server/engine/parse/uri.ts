// URI normalisation for IMDN cache keys and isComposing senders (SPEC §3.5, AMB-9). The same
// person reaches the PF written as tel:, as sip:…;user=phone, with GRUUs and odd host casing; the
// cache must see one recipient, yet must not merge URIs that really differ (a SIP URI with a
// number user part but no user=phone is not a phone number).

const VISUAL_SEPARATORS = /[-.()]/g;

// RFC 3261 §19.1.4: "Characters other than those in the 'reserved' set are equivalent to their
// '%' HEX HEX encoding", so sip:b%6Fb@example.com and sip:bob@example.com are the same URI. The
// reserved set (RFC 3261 §25.1) and '%' itself stay escaped, with upper-case hex digits so that
// %3b and %3B compare equal too.
const RESERVED = new Set([';', '/', '?', ':', '@', '&', '=', '+', '$', ',', '%']);

/** Decode the %-escapes of characters outside the reserved set (RFC 3261 §19.1.4). */
export function unescapeUnreserved(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const code = parseInt(hex, 16);
    const ch = String.fromCharCode(code);
    // only ASCII printable characters are decoded; other octets keep their (normalised) escape
    return code > 0x20 && code < 0x7f && !RESERVED.has(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

/** Drop the display name and the angle brackets of a name-addr; a bare URI is returned trimmed. */
export function extractUri(value: string): string {
  let s = value.trim();
  if (s.startsWith('"')) {
    // Quoted display names may contain '<'; skip past the closing quote first.
    let j = 1;
    while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
    s = s.slice(j + 1);
  }
  const lt = s.indexOf('<');
  if (lt >= 0) {
    const gt = s.indexOf('>', lt + 1);
    return (gt < 0 ? s.slice(lt + 1) : s.slice(lt + 1, gt)).trim();
  }
  return s.trim();
}

export type UriIdentity =
  | { kind: 'E164'; number: string }
  | { kind: 'LOCAL_NUMBER'; digits: string; phoneContext?: string }
  | { kind: 'SIP'; user?: string; host: string; port?: string }
  | { kind: 'OTHER'; uri: string };

function params(list: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of list) {
    const eq = p.indexOf('=');
    const k = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (k) m.set(k, eq < 0 ? '' : p.slice(eq + 1).trim());
  }
  return m;
}

function numberIdentity(raw: string, context: string | undefined): UriIdentity {
  const n = raw.replace(VISUAL_SEPARATORS, '');
  if (n.startsWith('+')) return { kind: 'E164', number: n };
  return { kind: 'LOCAL_NUMBER', digits: n, phoneContext: context?.toLowerCase() };
}

/** What a CPIM From / To value identifies, per SPEC §3.5. Total: any string gives a value. */
export function uriIdentity(value: string): UriIdentity {
  const uri = extractUri(value);
  const colon = uri.indexOf(':');
  const scheme = colon < 0 ? '' : uri.slice(0, colon).toLowerCase();
  const rest = colon < 0 ? '' : uri.slice(colon + 1);
  if (scheme === 'tel') {
    const [num, ...ps] = unescapeUnreserved(rest).split(';');
    return numberIdentity(num.trim(), params(ps).get('phone-context'));
  }
  if (scheme === 'sip' || scheme === 'sips') {
    const noHeaders = rest.split('?')[0];
    const at = noHeaders.indexOf('@');
    const userinfo = at < 0 ? undefined : noHeaders.slice(0, at);
    const afterUser = at < 0 ? noHeaders : noHeaders.slice(at + 1);
    const semi = afterUser.indexOf(';');
    const hostport = semi < 0 ? afterUser : afterUser.slice(0, semi);
    const uriParams = params(semi < 0 ? [] : afterUser.slice(semi + 1).split(';'));
    // the user part ends at a password separator; the host may be an IPv6 reference
    const user = userinfo === undefined ? undefined : unescapeUnreserved(userinfo.split(':')[0]);
    if (uriParams.get('user')?.toLowerCase() === 'phone' && user !== undefined) {
      const [num, ...ups] = user.split(';');
      return numberIdentity(num, params(ups).get('phone-context'));
    }
    let host = unescapeUnreserved(hostport);
    let port: string | undefined;
    const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(host);
    if (m) {
      host = m[1];
      port = m[2];
    }
    return { kind: 'SIP', user, host: host.toLowerCase(), port: port || undefined };
  }
  return { kind: 'OTHER', uri: uri.toLowerCase() };
}

/** The normalised key form of a CPIM From / To value (SPEC §3.5). */
export function normaliseUri(value: string): string {
  const id = uriIdentity(value);
  switch (id.kind) {
    case 'E164':
      return id.number;
    case 'LOCAL_NUMBER':
      return `${id.digits};phone-context=${id.phoneContext ?? ''}`;
    case 'SIP':
      return `sip:${id.user !== undefined ? `${id.user}@` : ''}${id.host}${id.port !== undefined ? `:${id.port}` : ''}`;
    case 'OTHER':
      return id.uri;
  }
}

/**
 * Two URIs name the same resource (a conference focus, a group session identity): brackets and
 * parameters dropped, case ignored, and %-escapes of unreserved characters decoded (RFC 3261
 * §19.1.4).
 */
export function sameResource(a: string, b: string): boolean {
  const norm = (u: string) => unescapeUnreserved(u.trim().replace(/^<|>$/g, '').split(';')[0]).toLowerCase();
  return norm(a) === norm(b);
}
