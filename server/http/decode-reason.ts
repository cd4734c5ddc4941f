// Turns a Reason header value (RFC 3326) into words for the operator. Parsing is the engine's
// (SPEC §3.1); the tables only name the causes an operator meets on CPM legs.
import { parseReason } from '../engine/parse/reason';
import type { DecodedReason } from '../live/events';

const SIP_PHRASES: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout',
  410: 'Gone', 480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here', 500: 'Server Internal Error',
  503: 'Service Unavailable', 504: 'Server Time-out', 600: 'Busy Everywhere', 603: 'Decline',
};

const Q850: Record<number, string> = {
  1: 'unallocated number', 16: 'normal call clearing', 17: 'user busy', 18: 'no user responding',
  19: 'no answer from user', 21: 'call rejected', 27: 'destination out of order',
  31: 'normal, unspecified', 34: 'no circuit available', 38: 'network out of order',
  41: 'temporary failure', 47: 'resource unavailable', 102: 'recovery on timer expiry',
  127: 'interworking, unspecified',
};

// 3GPP TS 24.229 Table 7.2A.18.1 (Reason header protocol RELEASE_CAUSE)
const RELEASE_CAUSE: Record<number, string> = {
  1: 'user ends call', 2: 'RTP/RTCP time-out', 3: 'media bearer loss', 4: 'SIP timeout (no ACK)',
  5: 'SIP response time-out', 6: 'call-setup time-out', 7: 'redirection failure',
};

function textOf(raw: string): string | null {
  const m = /;\s*text\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(raw);
  return m ? m[1].replace(/\\(.)/g, '$1') : null;
}

export function decodeReason(raw: string | null | undefined): DecodedReason | null {
  if (!raw || raw.trim() === '') return null;
  const parsed = parseReason([raw]);
  const text = parsed.text ?? textOf(raw);
  if (parsed.sipPresent) {
    const cause = parsed.sipCause ?? null;
    const phrase = cause !== null ? SIP_PHRASES[cause] : undefined;
    const meaning = cause === null ? 'SIP, cause missing or not a number' : `SIP ${cause}${phrase ? ` ${phrase}` : ''}`;
    return { raw, protocol: 'SIP', cause, text, meaning };
  }
  const other = parsed.others[0];
  if (!other) return { raw, protocol: null, cause: null, text, meaning: 'unreadable Reason header' };
  // written by this PF itself when it closes a leg without SIP (store/sessions.ts RESTART_REASON)
  if (other.protocol === 'PF') return { raw, protocol: 'PF', cause: null, text, meaning: 'closed by the PF itself, no SIP sent' };
  const cause = other.cause ?? null;
  const table = other.protocol === 'Q.850' ? Q850 : other.protocol === 'RELEASE_CAUSE' ? RELEASE_CAUSE : {};
  const words = cause !== null ? table[cause] : undefined;
  const meaning = `${other.protocol}${cause !== null ? ` ${cause}` : ''}${words ? ` ${words}` : ''}`;
  return { raw, protocol: other.protocol, cause, text, meaning };
}
