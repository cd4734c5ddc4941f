// Typed views of the header values the stack itself needs. Each parser returns undefined on bad
// input instead of throwing, so callers decide whether that is a 400 or a drop.

export interface Via {
  transport: string; // UPPER case: UDP, TCP, TLS ...
  host: string;
  port?: number;
  params: Map<string, string>;
  branch?: string;
}

function parseParams(s: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of splitOutsideQuotes(s, ';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params.set(p.toLowerCase(), '');
    else params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  return params;
}

/**
 * `s` cut at each `sep` outside double quotes (a quote toggles; no escapes), as slices: building
 * each part a character at a time made a new string per character, 2.7 KB per Via parsed (D-340).
 * `sep` is one ASCII character.
 */
export function splitOutsideQuotes(s: string, sep: string): string[] {
  if (s.indexOf('"') < 0) return s.split(sep);
  const cut = sep.charCodeAt(0);
  const out: string[] = [];
  let from = 0;
  let q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) q = !q;
    else if (c === cut && !q) { out.push(s.slice(from, i)); from = i + 1; }
  }
  out.push(s.slice(from));
  return out;
}
const QUOTE = 0x22;

function parseHostPort(s: string): { host: string; port?: number } | undefined {
  s = s.trim();
  let host: string;
  let rest: string;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return undefined;
    host = s.slice(0, end + 1);
    rest = s.slice(end + 1);
  } else {
    const c = s.indexOf(':');
    host = c < 0 ? s : s.slice(0, c);
    rest = c < 0 ? '' : s.slice(c);
  }
  if (!host || !/^[A-Za-z0-9.\-_[\]:]+$/.test(host)) return undefined;
  if (!rest) return { host };
  const m = /^:(\d{1,5})$/.exec(rest);
  if (!m) return undefined;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

export function parseVia(value: string): Via | undefined {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^;]+)(.*)$/i.exec(value.trim());
  if (!m) return undefined;
  const hp = parseHostPort(m[2]);
  if (!hp) return undefined;
  const params = parseParams(m[3]);
  return { transport: m[1].toUpperCase(), host: hp.host, port: hp.port, params, branch: params.get('branch') };
}

export function formatVia(v: Via): string {
  let s = `SIP/2.0/${v.transport} ${v.host}${v.port ? ':' + v.port : ''}`;
  for (const [k, val] of v.params) s += val === '' ? `;${k}` : `;${k}=${val}`;
  return s;
}

export interface SipUri {
  scheme: string;
  user?: string;
  host: string;
  port?: number;
  params: Map<string, string>;
}

export function parseUri(value: string): SipUri | undefined {
  const m = /^(sips?|tel):(.*)$/i.exec(value.trim());
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  let rest = m[2];
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (scheme === 'tel') {
    const [num, ...ps] = rest.split(';');
    if (!num) return undefined;
    return { scheme, user: num, host: '', params: parseParams(ps.join(';')) };
  }
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  if (user === '') return undefined;
  rest = at >= 0 ? rest.slice(at + 1) : rest;
  const semi = rest.indexOf(';');
  const hpStr = semi >= 0 ? rest.slice(0, semi) : rest;
  const hp = parseHostPort(hpStr);
  if (!hp) return undefined;
  return { scheme, user, host: hp.host, port: hp.port, params: parseParams(semi >= 0 ? rest.slice(semi + 1) : '') };
}

export interface NameAddr {
  display?: string;
  uri: string;
  params: Map<string, string>;
  tag?: string;
}

/** From/To/Contact/Route value: `"name" <uri>;params` or `uri;params`. */
export function parseNameAddr(value: string): NameAddr | undefined {
  const s = value.trim();
  // the display name may be a quoted string holding "<", ">", ";" or "," (RFC 3261 §25.1)
  const lt = indexOutsideQuotes(s, '<');
  if (lt === -2) return undefined;
  let display: string | undefined;
  let uri: string;
  let paramStr: string;
  if (lt >= 0) {
    const gt = s.indexOf('>', lt);
    if (gt < 0) return undefined;
    const shown = s.slice(0, lt).trim();
    if (shown.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\.)*"$/.test(shown)) return undefined;
      display = shown.slice(1, -1).replace(/\\(.)/g, '$1') || undefined;
    } else {
      if (shown.includes('"')) return undefined;
      display = shown || undefined;
    }
    uri = s.slice(lt + 1, gt).trim();
    paramStr = s.slice(gt + 1);
    if (paramStr.trim() && !paramStr.trim().startsWith(';')) return undefined;
  } else {
    const semi = s.indexOf(';');
    uri = (semi >= 0 ? s.slice(0, semi) : s).trim();
    paramStr = semi >= 0 ? s.slice(semi) : '';
    if (/\s/.test(uri)) return undefined;
  }
  if (!uri || (uri !== '*' && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri))) return undefined;
  const params = parseParams(paramStr);
  return { display, uri, params, tag: params.get('tag') || undefined };
}

/** Index of ch outside quoted strings; -1 when absent, -2 when a quote is left open. */
function indexOutsideQuotes(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ch) return i;
  }
  return quoted ? -2 : -1;
}

export function tagOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : parseNameAddr(value)?.tag;
}

export function withTag(value: string, tag: string): string {
  return `${value};tag=${tag}`;
}

export interface CSeq { seq: number; method: string }

export function parseCSeq(value: string | undefined): CSeq | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)$/.exec(value.trim());
  if (!m) return undefined;
  const seq = Number(m[1]);
  if (seq > 0x7fffffff) return undefined;
  return { seq, method: m[2] };
}
