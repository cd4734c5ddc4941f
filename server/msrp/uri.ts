// MSRP URIs (RFC 4975 §6): msrp[s]://[userinfo@]host[:port]/session-id;transport[;params]
// Parse, format and compare (§6.1). Pure: no I/O.

export interface MsrpUri {
  /** false: msrp, true: msrps (TLS) */
  secure: boolean;
  /** userinfo before '@', kept as written (it takes no part in comparison) */
  user?: string;
  /** host as written (an IPv6 literal keeps its brackets) */
  host: string;
  /** 2855 when absent from the text (RFC 4975 §6: the default port); portGiven says which */
  port: number;
  portGiven: boolean;
  /** the session-id; optional in the grammar (a relay's URI has none) */
  sessionId?: string;
  /** the transport, lower-cased (tcp) */
  transport: string;
  /** any further ;params, as written */
  params: string[];
}

export const MSRP_DEFAULT_PORT = 2855;

// session-id = 1*( unreserved / "+" / "=" / "/" )
const SESSION_ID = /^[A-Za-z0-9\-._~%+=/]+$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+)$/;

/** Parses one MSRP URI; undefined when it is not one (never throws). */
export function parseMsrpUri(text: string): MsrpUri | undefined {
  const m = /^(msrps?):\/\/([^/;]+?)(?:\/([^;]*))?;(.+)$/i.exec(text);
  if (!m) return undefined;
  const secure = m[1].toLowerCase() === 'msrps';
  let authority = m[2];
  let user: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    user = authority.slice(0, at);
    authority = authority.slice(at + 1);
  }
  let host = authority;
  let port = MSRP_DEFAULT_PORT;
  let portGiven = false;
  const pm = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(authority);
  if (!pm) return undefined;
  host = pm[1];
  if (pm[2] !== undefined) {
    port = Number(pm[2]);
    portGiven = true;
    if (port < 1 || port > 65535) return undefined;
  }
  if (!host || !HOST.test(host)) return undefined;
  const sessionId = m[3];
  if (sessionId !== undefined && sessionId !== '' && !SESSION_ID.test(sessionId)) return undefined;
  const [transport, ...params] = m[4].split(';');
  if (!/^[A-Za-z0-9\-._~]+$/.test(transport)) return undefined;
  return {
    secure, user, host, port, portGiven,
    sessionId: sessionId === '' ? undefined : sessionId,
    transport: transport.toLowerCase(),
    params,
  };
}

/** Formats a URI; parse(format(u)) equals u. */
export function formatMsrpUri(u: MsrpUri): string {
  const auth = (u.user !== undefined ? `${u.user}@` : '') + u.host + (u.portGiven || u.port !== MSRP_DEFAULT_PORT ? `:${u.port}` : '');
  const sid = u.sessionId !== undefined ? `/${u.sessionId}` : '';
  return `${u.secure ? 'msrps' : 'msrp'}://${auth}${sid};${[u.transport, ...u.params].join(';')}`;
}

/** Decodes %-escapes of unreserved characters only (RFC 3986 normalisation), for host comparison. */
function normHost(h: string): string {
  return h.replace(/%([0-9A-Fa-f]{2})/g, (all, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : all.toUpperCase();
  }).toLowerCase();
}

/**
 * RFC 4975 §6.1: equal when scheme, host (case-insensitive), port (the default counts),
 * session-id (case-sensitive) and transport (case-insensitive) are equal; userinfo and any other
 * parameter are ignored.
 */
export function msrpUriEqual(a: MsrpUri, b: MsrpUri): boolean {
  return a.secure === b.secure && normHost(a.host) === normHost(b.host) && a.port === b.port &&
    a.sessionId === b.sessionId && a.transport === b.transport;
}

/** Compares two URIs given as text; false if either does not parse. */
export function msrpUriTextEqual(a: string, b: string): boolean {
  const ua = parseMsrpUri(a);
  const ub = parseMsrpUri(b);
  return !!ua && !!ub && msrpUriEqual(ua, ub);
}

/** Parses a path (To-Path / From-Path / SDP a=path): URIs separated by spaces. */
export function parsePath(text: string): MsrpUri[] | undefined {
  const parts = text.trim().split(/[ \t]+/);
  if (!parts.length || parts[0] === '') return undefined;
  const out: MsrpUri[] = [];
  for (const p of parts) {
    const u = parseMsrpUri(p);
    if (!u) return undefined;
    out.push(u);
  }
  return out;
}
