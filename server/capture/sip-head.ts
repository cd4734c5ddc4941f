// What the operator tools need from a raw SIP message without a full parse: request or
// response, the method (for a response: CSeq's method), the status and the Call-ID. Reads only
// the header section; a message this does not understand yields undefined fields, never throws.
export interface SipHead {
  kind: 'request' | 'response' | 'unknown';
  /** the request's method, or the method in a response's CSeq */
  method?: string;
  status?: number;
  callId?: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** a header section longer than this is not looked into (the edge refuses such messages anyway) */
const MAX_HEAD_BYTES = 16_384;

export function sipHead(bytes: Buffer): SipHead {
  const end = bytes.indexOf(HEADER_END);
  const head = bytes.toString('latin1', 0, Math.min(end < 0 ? bytes.length : end, MAX_HEAD_BYTES));
  const firstEnd = head.indexOf('\r\n');
  const first = firstEnd < 0 ? head : head.slice(0, firstEnd);
  const callId = callIdOf(bytes, head);
  const cseqMethod = /\r\n(?:cseq)[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)/i.exec(head)?.[1].toUpperCase();
  const response = /^SIP\/2\.0[ \t]+(\d{3})(?:[ \t]|$)/.exec(first);
  if (response) return { kind: 'response', status: Number(response[1]), method: cseqMethod, callId };
  const request = /^([A-Za-z]+)[ \t]+\S+[ \t]+SIP\/2\.0$/.exec(first);
  if (request) return { kind: 'request', method: request[1].toUpperCase(), callId };
  return { kind: 'unknown', callId };
}

const CALL_ID = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)/i;

// Read out of the bytes rather than cut from `head`: a string cut from another keeps all of it
// alive, and the capture ring holds Call-IDs for minutes (D-300). `head` is the bytes' latin1
// text, so its indexes are byte offsets.
function callIdOf(bytes: Buffer, head: string): string | undefined {
  const m = CALL_ID.exec(head);
  if (!m) return undefined;
  let start = m.index + m[0].length - m[1].length;
  let end = m.index + m[0].length;
  while (start < end && isSpace(head.charCodeAt(start))) start++;
  while (end > start && isSpace(head.charCodeAt(end - 1))) end--;
  return end > start ? bytes.toString('latin1', start, end) : undefined;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09;
