// Disposition notification bodies (SPEC §3.2, §12.2): the IMDN XML itself, and the request body
// that carries it: one message/cpim, or a multipart/mixed aggregate of them. Element matching is
// by local name so both interworking forms seen in the field (§12.2.3) parse alike.
import type { DispositionType } from '../model';
import { parseContentType } from './content-type';
import { contentHeader, parseCpim, type CpimMessage } from './cpim';
import { parseMultipart } from './multipart';
import { childElements, firstChild, parseXml, textContent } from './xml';

export const IMDN_XML_NS = 'urn:ietf:params:xml:ns:imdn';
export const CPM_IMDN_EXT_NS = 'urn:oma:xml:cpm:imdn-extensions:1.0';

export type Polarity = 'positive' | 'negative';

export interface ImdnNotification {
  messageId: string;
  datetime?: string;
  recipientUri?: string;
  originalRecipientUri?: string;
  type: DispositionType;
  /** local name of the element inside <status>; unknown values are kept as received */
  status: string;
  polarity: Polarity;
}

export type ImdnErrorCode =
  | 'BAD_XML'
  | 'NOT_IMDN_ROOT'
  | 'NO_MESSAGE_ID'
  | 'NO_NOTIFICATION'
  | 'NO_STATUS'
  | 'NOT_CPIM'
  | 'BAD_CPIM'
  | 'NOT_IMDN_CONTENT'
  | 'BAD_MULTIPART';

export interface ImdnError {
  code: ImdnErrorCode;
  message: string;
}

export type ImdnResult = { ok: true; value: ImdnNotification } | { ok: false; error: ImdnError };

const TYPE_BY_ELEMENT: Record<string, DispositionType> = {
  'delivery-notification': 'delivery',
  'display-notification': 'display',
  'processing-notification': 'processing',
  'interworking-notification': 'interworking',
};

const POSITIVE = new Set(['delivered', 'displayed', 'processed', 'stored', 'legacy-sms', 'legacy-mms']);

/** §3.2 polarity (AMB-10): the six success statuses are positive; everything else, unknown included, negative. */
export function polarityOf(status: string): Polarity {
  return POSITIVE.has(status) ? 'positive' : 'negative';
}

/** Parse message/imdn+xml. Never throws. */
export function parseImdnXml(xml: string): ImdnResult {
  const doc = parseXml(xml);
  if (!doc.ok) return { ok: false, error: { code: 'BAD_XML', message: `IMDN XML: ${doc.error.message}` } };
  const root = doc.value;
  if (root.localName !== 'imdn') {
    return { ok: false, error: { code: 'NOT_IMDN_ROOT', message: `the XML root is <${root.name}>, not <imdn>` } };
  }
  const midEl = firstChild(root, 'message-id');
  const messageId = midEl ? textContent(midEl).trim() : '';
  if (!messageId) return { ok: false, error: { code: 'NO_MESSAGE_ID', message: 'the IMDN has no <message-id>' } };
  const notif = childElements(root).find((c) => c.localName in TYPE_BY_ELEMENT && Object.hasOwn(TYPE_BY_ELEMENT, c.localName));
  if (!notif) {
    return { ok: false, error: { code: 'NO_NOTIFICATION', message: 'the IMDN has no delivery, display, processing or interworking notification element' } };
  }
  const statusEl = firstChild(notif, 'status');
  const value = statusEl ? childElements(statusEl)[0] : undefined;
  if (!value) return { ok: false, error: { code: 'NO_STATUS', message: `<${notif.localName}> has no status value` } };
  const opt = (name: string) => {
    const e = firstChild(root, name);
    const t = e ? textContent(e).trim() : '';
    return t || undefined;
  };
  return {
    ok: true,
    value: {
      messageId,
      datetime: opt('datetime'),
      recipientUri: opt('recipient-uri'),
      originalRecipientUri: opt('original-recipient-uri'),
      type: TYPE_BY_ELEMENT[notif.localName],
      status: value.localName,
      polarity: polarityOf(value.localName),
    },
  };
}

/** One CPIM-wrapped IMDN: the envelope and the parsed notification. */
export interface CpimImdn {
  cpim: CpimMessage;
  imdn: ImdnNotification;
}

export type CpimImdnResult = { ok: true; value: CpimImdn } | { ok: false; error: ImdnError; cpim?: CpimMessage };

/** Parse a message/cpim body that should carry one IMDN. */
export function parseCpimImdn(cpimText: string): CpimImdnResult {
  const c = parseCpim(cpimText);
  if (!c.ok) return { ok: false, error: { code: 'BAD_CPIM', message: `CPIM: ${c.error.message}` } };
  const inner = parseContentType(c.value.contentType).mediaType;
  if (inner !== 'message/imdn+xml') {
    return { ok: false, error: { code: 'NOT_IMDN_CONTENT', message: `the CPIM content is "${inner || 'untyped'}", not message/imdn+xml` }, cpim: c.value };
  }
  const x = parseImdnXml(c.value.body);
  if (!x.ok) return { ok: false, error: x.error, cpim: c.value };
  return { ok: true, value: { cpim: c.value, imdn: x.value } };
}

/** True when the CPIM content is flagged as a notification (RFC 5438 Content-Disposition). */
export function isNotificationDisposition(cpim: CpimMessage): boolean {
  const v = contentHeader(cpim, 'content-disposition');
  return v !== undefined && v.split(';')[0].trim().toLowerCase() === 'notification';
}

/** One IMDN carried by a request body: parsed, or the raw text with the reason it did not parse. */
export type ImdnBodyPart =
  | { ok: true; raw: string; cpim: CpimMessage; imdn: ImdnNotification }
  | { ok: false; raw: string; cpim?: CpimMessage; error: ImdnError };

export type ImdnBody = { aggregated: boolean; parts: ImdnBodyPart[] };

/**
 * The IMDNs carried by a request body (SPEC §3.2): a message/cpim body gives one part; a
 * multipart/mixed body gives one part per message/cpim part, in order. A body of another type, or
 * a multipart that cannot be split, is a typed error.
 */
export function parseImdnBody(contentTypeValue: string | undefined, body: string): { ok: true; value: ImdnBody } | { ok: false; error: ImdnError } {
  const ct = parseContentType(contentTypeValue);
  const one = (raw: string): ImdnBodyPart => {
    const r = parseCpimImdn(raw);
    return r.ok ? { ok: true, raw, cpim: r.value.cpim, imdn: r.value.imdn } : { ok: false, raw, cpim: r.cpim, error: r.error };
  };
  if (ct.mediaType === 'message/cpim') return { ok: true, value: { aggregated: false, parts: [one(body)] } };
  if (ct.mediaType === 'multipart/mixed') {
    const mp = parseMultipart(contentTypeValue ?? '', body);
    if (!mp.ok) return { ok: false, error: { code: 'BAD_MULTIPART', message: `multipart body: ${mp.error.message}` } };
    const parts: ImdnBodyPart[] = mp.value.map((p) =>
      parseContentType(p.contentType).mediaType === 'message/cpim'
        ? one(p.body)
        : { ok: false, raw: p.body, error: { code: 'NOT_CPIM', message: `an aggregate part is "${p.contentType ?? 'untyped'}", not message/cpim` } },
    );
    return { ok: true, value: { aggregated: true, parts } };
  }
  return { ok: false, error: { code: 'NOT_CPIM', message: `the body is "${ct.mediaType || 'untyped'}", neither message/cpim nor multipart/mixed` } };
}
