// The engine's view of a SIP message: already framed by the transport, not yet interpreted.
// Header names are lower-cased as received (compact forms included); values keep their order,
// one entry per header line. Parsing of individual headers happens in parse/.

export interface SipMessageView {
  method?: string; // requests
  uri?: string; // requests
  status?: number; // responses
  headers: Record<string, string[]>;
  /** the body as received: a byte string, one character per byte (D-112); relayed as it is */
  body: string;
  /**
   * the body to inspect when it differs from `body`: what a Content-Encoding inflates to, or ''
   * for an encoding the PF cannot undo. Read through bodyText().
   */
  text?: string;
}

const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

const LONG_TO_COMPACT: Record<string, string> = Object.fromEntries(
  Object.entries(COMPACT).map(([short, long]) => [long, short]),
);

/** Every header line with this name, full or compact form, in the order received. */
export function headerValues(msg: Pick<SipMessageView, 'headers'>, name: string): string[] {
  const full = name.toLowerCase();
  const compact = LONG_TO_COMPACT[full];
  const out: string[] = [];
  const headers = msg.headers;
  // by key, without lower-casing every key of every message on every lookup: a key of another
  // length cannot be this header, and views usually carry their keys in lower case already
  for (const key in headers) {
    const n = key.length;
    if (!(n === full.length && (key === full || key.toLowerCase() === full)) && !(compact !== undefined && n === compact.length && (key === compact || key.toLowerCase() === compact))) continue;
    const values = headers[key];
    for (let i = 0; i < values.length; i++) out.push(values[i]);
  }
  return out;
}

/** The first value of a header, or undefined. */
export function header(msg: Pick<SipMessageView, 'headers'>, name: string): string | undefined {
  return headerValues(msg, name)[0];
}
