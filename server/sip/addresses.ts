// Small helpers for SIP address headers in the shell (the engine has its own parsers).
import { sameResource, unescapeUnreserved } from '../engine/parse/uri';

/** Splits a header value on commas outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth = Math.max(0, depth - 1);
    if (ch === ',' && !quoted && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export interface NameAddr {
  uri: string;
  /** header parameters after the URI (outside the angle brackets), raw, without the leading ';' */
  params: string;
}

/** Index of the first "<" outside a quoted display name; -1 when none, -2 when a quote is left open. */
function angleStart(v: string): number {
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const ch = v[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') return i;
  }
  return quoted ? -2 : -1;
}

export function parseNameAddr(value: string): NameAddr | undefined {
  const v = value.trim();
  // a quoted display name may hold "<" (RFC 3261 §25.1): "Bob <work>" <sip:bob@…>
  const lt = angleStart(v);
  if (lt === -2) return undefined;
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) return undefined;
    return { uri: v.slice(lt + 1, gt).trim(), params: v.slice(gt + 1).replace(/^\s*;/, '').trim() };
  }
  const semi = v.indexOf(';');
  return semi < 0 ? { uri: v, params: '' } : { uri: v.slice(0, semi).trim(), params: v.slice(semi + 1).trim() };
}

export function paramValue(params: string, name: string): string | undefined {
  for (const p of splitParams(params)) {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (key === name.toLowerCase()) return eq < 0 ? '' : p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

export function splitParams(params: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let cur = '';
  for (const ch of params) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** The address of record of a SIP URI: `sip:user@host`, host lower-cased, no port or params. */
export function aorOf(uri: string): string | undefined {
  const m = /^(sips?):([^@;?>]+)@([^;:?>]+)/i.exec(uri.trim());
  if (!m) return undefined;
  return `sip:${unescapeUnreserved(m[2])}@${unescapeUnreserved(m[3]).toLowerCase()}`;
}

/** Two URIs name the same resource: brackets and parameters dropped, case ignored, escapes of unreserved characters decoded. */
export const sameUri = sameResource;

/** The tag parameter of a From or To header value (commas too end it: a header may list several). */
export function tagOf(nameAddr: string | undefined): string | undefined {
  return /;\s*tag\s*=\s*([^;>\s,]+)/i.exec(nameAddr ?? '')?.[1];
}
