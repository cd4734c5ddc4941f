// MIME Content-Type values (RFC 2045): the engine routes on the media type and needs the
// multipart boundary and charset parameters.

export interface ContentType {
  /** 'type/subtype', lower-cased; '' when the value names none */
  mediaType: string;
  /** parameter names lower-cased, values unquoted */
  params: Record<string, string>;
}

/** Total: any string gives a value (an unusable one has mediaType ''). */
export function parseContentType(value: string | undefined): ContentType {
  const params: Record<string, string> = {};
  if (!value) return { mediaType: '', params };
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === '\\' && i + 1 < value.length) {
      cur += value[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  const mediaType = parts[0].trim().toLowerCase();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const k = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    if (k && !(k in params)) params[k] = v;
  }
  return { mediaType: /^[^\s/]+\/[^\s/]+$/.test(mediaType) ? mediaType : '', params };
}
