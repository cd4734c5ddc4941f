// The MSRP parts of an SDP body (RFC 4975 §8, RFC 6135 a=setup) and the PF's connection role on
// a leg (D-161). Pure string work, for the session shell: read the far end's m=message line,
// c=, a=path and a=setup; write the PF's own into the SDP it passes on.

export type SetupAttr = 'active' | 'passive' | 'actpass' | 'holdconn';

export interface MsrpMedia {
  /** the m=message line's port (RFC 4975: the port of the first URI of a=path decides) */
  port: number;
  /** TCP/MSRP or TCP/TLS/MSRP */
  proto: string;
  /** a=path URIs (first: the next hop) */
  path: string[];
  setup?: SetupAttr;
  /** c= address (session or media level) */
  address?: string;
  acceptTypes?: string;
  acceptWrappedTypes?: string;
}

/** The first m=message stream of an SDP body; undefined when there is none or it has no a=path. */
export function readMsrpMedia(sdp: string): MsrpMedia | undefined {
  const lines = sdp.split(/\r?\n/);
  let sessionAddr: string | undefined;
  let i = 0;
  for (; i < lines.length && !lines[i].startsWith('m='); i++) {
    const c = /^c=IN IP[46] (\S+)/.exec(lines[i]);
    if (c) sessionAddr = c[1];
  }
  for (; i < lines.length; i++) {
    const m = /^m=message (\d+) (\S+)/.exec(lines[i]);
    if (!m) continue;
    const out: MsrpMedia = { port: Number(m[1]), proto: m[2], path: [], address: sessionAddr };
    for (let j = i + 1; j < lines.length && !lines[j].startsWith('m='); j++) {
      const l = lines[j];
      let a: RegExpExecArray | null;
      if ((a = /^a=path:(.+)$/.exec(l))) out.path = a[1].trim().split(/\s+/);
      else if ((a = /^a=setup:(\S+)/.exec(l)) && ['active', 'passive', 'actpass', 'holdconn'].includes(a[1])) out.setup = a[1] as SetupAttr;
      else if ((a = /^c=IN IP[46] (\S+)/.exec(l))) out.address = a[1];
      else if ((a = /^a=accept-types:(.*)$/.exec(l))) out.acceptTypes = a[1].trim();
      else if ((a = /^a=accept-wrapped-types:(.*)$/.exec(l))) out.acceptWrappedTypes = a[1].trim();
    }
    return out.path.length ? out : undefined;
  }
  return undefined;
}

/**
 * Rewrites the first m=message stream to the PF's endpoint: its port, c= address, a=path (the
 * PF's URI for the leg that receives this SDP) and a=setup. Everything else is kept.
 */
export function rewriteMsrpMedia(sdp: string, mine: { host: string; port: number; path: string; setup: SetupAttr }): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const ip = mine.host.includes(':') ? 'IP6' : 'IP4';
  const out: string[] = [];
  let inMsrp = false;
  let done = false;
  let sawSetup = false;
  const closeMedia = () => {
    if (inMsrp && !sawSetup) out.push(`a=setup:${mine.setup}`);
    inMsrp = false;
  };
  for (const l of lines) {
    if (l.startsWith('m=')) {
      closeMedia();
      const m = /^m=message \d+ (.*)$/.exec(l);
      if (m && !done) {
        out.push(`m=message ${mine.port} ${m[1]}`);
        out.push(`c=IN ${ip} ${mine.host}`);
        inMsrp = true;
        done = true;
        sawSetup = false;
        continue;
      }
      out.push(l);
      continue;
    }
    if (inMsrp) {
      if (l.startsWith('c=')) continue;
      if (l.startsWith('a=path:')) { out.push(`a=path:${mine.path}`); continue; }
      if (l.startsWith('a=setup:')) { out.push(`a=setup:${mine.setup}`); sawSetup = true; continue; }
      if (l === '' ) { closeMedia(); out.push(l); continue; }
    }
    out.push(l);
  }
  closeMedia();
  return out.join(eol);
}

/**
 * The PF's role on a leg where it ANSWERS the far end's offer (D-161). RFC 4975 §5.4: without
 * a=setup the offerer connects; RFC 6135: active/passive are obeyed, and for actpass the PF picks
 * passive (the client connects out, which works through its NAT).
 */
export function roleAnswering(offer: SetupAttr | undefined): { pf: 'active' | 'passive'; answer: SetupAttr } {
  if (offer === 'passive') return { pf: 'active', answer: 'active' };
  return { pf: 'passive', answer: 'passive' };
}

/**
 * The PF's role on a leg where it OFFERS (it offers a=setup:actpass): the answer decides; an answer
 * without a=setup is an RFC 4975 endpoint, and then the offerer (the PF) connects.
 */
export function roleOffering(answer: SetupAttr | undefined): 'active' | 'passive' {
  return answer === 'active' ? 'passive' : 'active';
}
