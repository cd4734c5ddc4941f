// A light look at a MESSAGE body, enough for dispatch to tell an IMDN from a standalone message
// (DSP-1a/1b/1c). 8.3.1.1 parses the IMDN properly; here nothing is decoded beyond the headers.

export type BodyKind = 'IMDN' | 'AGGREGATED_IMDN' | 'OTHER';

export function bodyKind(contentType: string | undefined, body: string): BodyKind {
  const { mediaType, boundary } = mediaTypeOf(contentType);
  if (mediaType === 'message/cpim') return cpimCarriesImdn(body) ? 'IMDN' : 'OTHER';
  if (mediaType === 'multipart/mixed' && boundary !== undefined) {
    const parts = body.split(`--${boundary}`).slice(1);
    const imdnParts = parts.filter((p) => {
      if (p.startsWith('--')) return false; // closing delimiter
      const [headers, rest] = splitBlock(p.replace(/^[ \t]*\r?\n/, ''));
      return mediaTypeOf(headerIn(headers, 'content-type')).mediaType === 'message/cpim' && cpimCarriesImdn(rest);
    });
    return imdnParts.length > 0 ? 'AGGREGATED_IMDN' : 'OTHER';
  }
  return 'OTHER';
}

// CPIM (RFC 3862): message headers, a blank line, the MIME content headers, a blank line, content.
function cpimCarriesImdn(body: string): boolean {
  const [, afterCpimHeaders] = splitBlock(body);
  const [contentHeaders] = splitBlock(afterCpimHeaders);
  return mediaTypeOf(headerIn(contentHeaders, 'content-type')).mediaType === 'message/imdn+xml';
}

function splitBlock(s: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(s);
  if (m === null) return [s, ''];
  return [s.slice(0, m.index), s.slice(m.index + m[0].length)];
}

function headerIn(block: string, name: string): string | undefined {
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1);
  }
  return undefined;
}

function mediaTypeOf(value: string | undefined): { mediaType: string; boundary?: string } {
  if (value === undefined) return { mediaType: '' };
  const [type, ...params] = value.split(';');
  let boundary: string | undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === 'boundary') {
      boundary = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    }
  }
  return { mediaType: type.trim().toLowerCase(), ...(boundary ? { boundary } : {}) };
}
