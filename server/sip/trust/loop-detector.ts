// Loop and merged-request detection (RFC 3261 8.2.2.2 and 16.3 step 4), which the embedded edge
// does not do (server/edge/PARITY.md): a request that carries one of our own addresses in a Via
// left this PF and came back; a request without a To tag with the Call-ID, From tag and CSeq of a
// recent one but another branch reached us twice by different paths (a forking loop).
import { detached } from '../detached-string';

export interface HostPort {
  host: string;
  port: number;
}

const TIMER_F_MS = 32_000;

// Module constants, not literals in the loop: a literal is a new RegExp object each time it is
// evaluated, and this ran one per header line of every request (D-340). None is global or sticky.
const LINE_BREAK_NOT_FOLDED = /\r\n(?![ \t])/;
const VIA_LINE = /^(?:via|v)[ \t]*:(.*)$/is;
const SENT_BY = /SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z]+\s+(\[[^\]]+\]|[^\s;:]+)(?:\s*:\s*(\d+))?/i;
const LOWER_V = 0x76;

export function viaSentBys(raw: string): string[] {
  const end = raw.indexOf('\r\n\r\n');
  const head = end >= 0 ? raw.slice(0, end) : raw;
  const out: string[] = [];
  for (const line of head.split(LINE_BREAK_NOT_FOLDED)) {
    // only a line starting with V or v can be a Via: the others skip the match and its copy of the value
    if ((line.charCodeAt(0) | 0x20) !== LOWER_V) continue;
    const m = VIA_LINE.exec(line);
    if (!m) continue;
    for (const value of m[1].split(',')) {
      const s = SENT_BY.exec(value);
      if (s) out.push(`${s[1].toLowerCase()}:${s[2] ?? '5060'}`);
    }
  }
  return out;
}

export const branchOf = (via: string | undefined) => /;\s*branch\s*=\s*([^;,\s]+)/i.exec(via ?? '')?.[1];

export class MergedRequests {
  private readonly seen = new Map<string, { branch: string; at: number }>();

  constructor(private readonly now: () => number = Date.now, private readonly max = 100_000) {}

  /** true when this is a merged request: same transaction identity, another branch */
  check(key: string, branch: string): boolean {
    const now = this.now();
    const old = this.seen.get(key);
    if (old && now - old.at < TIMER_F_MS) return old.branch !== branch;
    // forget in insertion order: the oldest entries are the first to have expired
    for (const [k, v] of this.seen) {
      if (now - v.at < TIMER_F_MS && this.seen.size < this.max) break;
      this.seen.delete(k);
    }
    // kept up to 32 s: copies, not views into the request's text (D-302)
    this.seen.set(detached(key), { branch: detached(branch), at: now });
    return false;
  }

  get size(): number {
    return this.seen.size;
  }
}
