// Builders for IMDN test inputs (used by the *.test.ts files of this folder). Plain data only.
import type { DispositionType } from '../model';
import type { SipMessageView } from '../message';

export const ALICE = 'sip:+15551230001@ims.alpha.example';
export const BOB_PHONE = '<sip:+15551230002@ims.beta.example;user=phone>';
export const BOB_KEY = '+15551230002';
export const CAROL = '<sip:+15551230003@ims.alpha.example;user=phone>';
export const CAROL_KEY = '+15551230003';

const ELEMENT: Record<DispositionType, string> = {
  delivery: 'delivery-notification',
  display: 'display-notification',
  processing: 'processing-notification',
  interworking: 'interworking-notification',
};

export function imdnXml(messageId: string, type: DispositionType, status: string): string {
  if (type === 'interworking') {
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn" xmlns:cpmimdn="urn:oma:xml:cpm:imdn-extensions:1.0">\r\n' +
      `  <message-id>${messageId}</message-id>\r\n  <datetime>2015-11-10T10:15:00.000Z</datetime>\r\n` +
      `  <cpmimdn:interworking-notification><cpmimdn:status><cpmimdn:${status}/></cpmimdn:status></cpmimdn:interworking-notification>\r\n</imdn>`
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn">\r\n' +
    `  <message-id>${messageId}</message-id>\r\n  <datetime>2015-11-10T10:15:00.000Z</datetime>\r\n` +
    `  <${ELEMENT[type]}>\r\n    <status>\r\n      <${status}/>\r\n    </status>\r\n  </${ELEMENT[type]}>\r\n</imdn>`
  );
}

export function cpimImdn(opts: { from?: string; to?: string; messageId: string; type: DispositionType; status: string; xml?: string; ownId?: string }): string {
  const lines: string[] = [];
  if (opts.from !== undefined) lines.push(`From: ${opts.from}`);
  lines.push(`To: ${opts.to ?? `<${ALICE}>`}`, 'NS: imdn <urn:ietf:params:imdn>', `imdn.Message-ID: ${opts.ownId ?? 'N' + opts.messageId}`, 'DateTime: 2015-11-10T10:15:01.200Z');
  const xml = opts.xml ?? imdnXml(opts.messageId, opts.type, opts.status);
  return `${lines.join('\r\n')}\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\nContent-Length: ${xml.length}\r\n\r\n${xml}`;
}

export function imdnMessage(
  opts: { from?: string; to?: string; messageId: string; type: DispositionType; status: string; xml?: string; headers?: Record<string, string[]> },
): SipMessageView {
  return {
    method: 'MESSAGE',
    uri: ALICE,
    headers: {
      'call-id': ['c-' + opts.messageId],
      from: ['<sip:+15551230002@ims.beta.example>;tag=x'],
      'content-type': ['message/cpim'],
      ...opts.headers,
    },
    body: cpimImdn({ from: 'from' in opts ? opts.from : BOB_PHONE, ...opts }),
  };
}

export function aggregateMessage(parts: string[], boundary = 'imdn-agg-2f9c'): SipMessageView {
  const body = parts.map((p) => `--${boundary}\r\nContent-Type: message/cpim\r\n\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`;
  return {
    method: 'MESSAGE',
    uri: ALICE,
    headers: { 'call-id': ['agg-1'], 'content-type': [`multipart/mixed;boundary=${boundary}`] },
    body,
  };
}
