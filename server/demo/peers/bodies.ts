// What the scripted peers put on the wire: feature tags, CPIM envelopes, IMDN XML, MSRP SDP and
// conference-info. Written from the RFCs and spec/EXAMPLES.md, independent of the engine's parsers
// so a demo exercises them instead of agreeing with them by construction.

export type CpmService = 'msg' | 'largemsg' | 'deferred' | 'session' | 'filetransfer' | 'systemmsg';

export function icsi(svc: CpmService): string {
  return `urn:urn-7:3gpp-service.ims.icsi.oma.cpm.${svc}`;
}

/** `+g.3gpp.icsi-ref="..."` with the ICSIs percent-encoded, as clients register and request them. */
export function icsiTag(services: CpmService[]): string {
  return `+g.3gpp.icsi-ref="${services.map((s) => icsi(s).replace(/:/g, '%3A')).join(',')}"`;
}

export function acceptContact(services: CpmService[]): string {
  return `*;${icsiTag(services)}`;
}

export type Disposition = 'delivered' | 'failed' | 'displayed' | 'interworking';

const NOTIFICATION: Record<Disposition, string> = {
  delivered: '<delivery-notification><status><delivered/></status></delivery-notification>',
  failed: '<delivery-notification><status><failed/></status></delivery-notification>',
  displayed: '<display-notification><status><displayed/></status></display-notification>',
  interworking:
    '<cpmimdn:interworking-notification><cpmimdn:status><cpmimdn:legacy-sms/></cpmimdn:status></cpmimdn:interworking-notification>',
};

function cpim(headers: string[], contentHeaders: string[], body: string): string {
  const len = Buffer.byteLength(body, 'utf8');
  return `${headers.join('\r\n')}\r\n\r\n${contentHeaders.join('\r\n')}\r\nContent-Length: ${len}\r\n\r\n${body}`;
}

/** A disposition notification about `messageId`, from `recipient` back to `sender` (E2, E3, E4). */
export function imdnCpim(o: { from: string; to: string; messageId: string; disposition: Disposition; notificationId: string }): string {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn" xmlns:cpmimdn="urn:oma:xml:cpm:imdn-extensions:1.0">' +
    `<message-id>${o.messageId}</message-id><datetime>${new Date().toISOString()}</datetime>` +
    `<recipient-uri>${o.from}</recipient-uri><original-recipient-uri>${o.from}</original-recipient-uri>` +
    `${NOTIFICATION[o.disposition]}</imdn>`;
  return cpim(
    [`From: <${o.from}>`, `To: <${o.to}>`, 'NS: imdn <urn:ietf:params:imdn>', `imdn.Message-ID: ${o.notificationId}`, `DateTime: ${new Date().toISOString()}`],
    ['Content-Type: message/imdn+xml', 'Content-Disposition: notification'],
    xml,
  );
}

/** A pager-mode message (E1) asking for the given notifications. */
export function messageCpim(o: { from: string; to: string; messageId: string; text: string; notify?: string[] }): string {
  const notify = o.notify ?? ['positive-delivery', 'negative-delivery', 'display'];
  return cpim(
    [
      `From: <${o.from}>`,
      `To: <${o.to}>`,
      'NS: imdn <urn:ietf:params:imdn>',
      `imdn.Message-ID: ${o.messageId}`,
      `DateTime: ${new Date().toISOString()}`,
      ...(notify.length ? [`imdn.Disposition-Notification: ${notify.join(', ')}`] : []),
    ],
    ['Content-Type: text/plain;charset=UTF-8'],
    o.text,
  );
}

/** An MSRP offer/answer; `imdn` false leaves message/imdn+xml out (a client that cannot send IMDNs). */
export function msrpSdp(o: { host: string; port: number; session: string; imdn?: boolean; streams?: number; path?: string; setup?: 'active' | 'passive' }): string {
  const lines = ['v=0', `o=- ${Date.now() % 1e9} 1 IN IP4 ${o.host}`, 's=-', `c=IN IP4 ${o.host}`, 't=0 0'];
  for (let i = 0; i < (o.streams ?? 1); i++) {
    lines.push(
      `m=message ${o.port + i} TCP/MSRP *`,
      'a=accept-types:message/cpim application/im-iscomposing+xml',
      `a=accept-wrapped-types:text/plain${o.imdn === false ? '' : ' message/imdn+xml'}`,
      // a peer with a real MSRP endpoint (SipPeer.useMsrp) puts its own path on the first stream
      `a=path:${o.path && i === 0 ? o.path : `msrp://${o.host}:${o.port + i}/${o.session}${i};tcp`}`,
      `a=setup:${o.setup ?? 'active'}`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface Participant {
  uri: string;
  state?: 'full' | 'partial' | 'deleted';
  status?: 'connected' | 'disconnected';
  method?: string;
}

/** RFC 4575 conference-info as a Controlling Function sends it (E14, E15). */
export function conferenceInfo(o: { entity: string; version: number; state: 'full' | 'partial'; users: Participant[] }): string {
  const users = o.users
    .map((u) => {
      const st = u.state ? ` state="${u.state}"` : '';
      if (u.state === 'deleted') return `<user entity="${u.uri}"${st}/>`;
      const method = u.method ? `<disconnection-method>${u.method}</disconnection-method>` : '';
      return `<user entity="${u.uri}"${st}><endpoint entity="${u.uri}"><status>${u.status ?? 'connected'}</status>${method}</endpoint></user>`;
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${o.entity}" state="${o.state}" version="${o.version}">` +
    `<users>${users}</users></conference-info>`
  );
}
