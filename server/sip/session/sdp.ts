// Just enough SDP for an anchoring B2BUA without a media relay: which m-lines an offer has, and
// how a second remote party's streams are appended to (and answered from) the client-facing SDP.

export function mLineCount(sdp: string): number {
  return sdp.split(/\r?\n/).filter((l) => l.startsWith('m=')).length;
}

export function mediaProtocol(sdp: string): 'MSRP' | 'RTP' {
  return /^m=\S+\s+\d+\s+\S*MSRP/im.test(sdp) ? 'MSRP' : 'RTP';
}

/** The session-level part (before the first m-line) and each media section. */
function sections(sdp: string): { head: string[]; media: string[][] } {
  const lines = sdp.split(/\r?\n/).filter((l, i, a) => l !== '' || i < a.length - 1);
  const head: string[] = [];
  const media: string[][] = [];
  for (const l of lines) {
    if (l.startsWith('m=')) media.push([l]);
    else if (media.length > 0) media[media.length - 1].push(l);
    else head.push(l);
  }
  return { head, media };
}

function join(head: string[], media: string[][]): string {
  return [...head, ...media.flat()].filter((l) => l !== '').join('\r\n') + '\r\n';
}

/** The client-facing SDP with `extra`'s media sections appended; the o= version goes up. */
export function appendMedia(base: string, extra: string): string {
  const a = sections(base);
  const b = sections(extra);
  const head = a.head.map((l) => (l.startsWith('o=') ? bumpOrigin(l) : l));
  return join(head, [...a.media, ...b.media]);
}

/** An answer holding only the media sections after the first `skip` ones. */
export function mediaAfter(sdp: string, skip: number): string {
  const s = sections(sdp);
  return join(s.head, s.media.slice(skip));
}

function bumpOrigin(line: string): string {
  const p = line.split(' ');
  if (p.length > 2 && /^\d+$/.test(p[2])) p[2] = String(BigInt(p[2]) + 1n);
  return p.join(' ');
}
