// Splitting of SIP header values on a separator outside quoted strings. Shared by the header
// parsers in this folder that E2 owns (Accept-Contact, Subscription-State, Event).

export interface SplitResult {
  parts: string[];
  /** a quoted string was not closed before the end of the input */
  unterminatedQuote: boolean;
}

export function splitOutsideQuotes(value: string, sep: string): SplitResult {
  const parts: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (inQuote) {
      cur += ch;
      if (ch === '\\' && i + 1 < value.length) {
        cur += value[++i];
      } else if (ch === '"') {
        inQuote = false;
      }
    } else if (ch === '"') {
      inQuote = true;
      cur += ch;
    } else if (ch === sep) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  return { parts, unterminatedQuote: inQuote };
}

/** Remove surrounding double quotes and undo backslash escapes inside them. */
export function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    return t.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return t;
}

export interface GenericParam {
  /** lower-cased */
  name: string;
  /** as written, quotes removed; undefined for a bare flag */
  value?: string;
  quoted: boolean;
}

/** `name[=value]` with LWS allowed around `=`. */
export function parseParam(raw: string): GenericParam | undefined {
  const t = raw.trim();
  if (t === '') return undefined;
  const eq = t.indexOf('=');
  if (eq < 0) return { name: t.toLowerCase(), quoted: false };
  const name = t.slice(0, eq).trim().toLowerCase();
  if (name === '') return undefined;
  const rawValue = t.slice(eq + 1).trim();
  const quoted = rawValue.startsWith('"');
  return { name, value: unquote(rawValue), quoted };
}
