// The network side of the PF, scripted: a Controlling Function (group chats, conference-info
// NOTIFYs), another user's PF, or an Interworking Function (SMS fallback). Each is a topology peer
// of the PF, so requests it sends are classified by its address.
import { randomUUID } from 'node:crypto';
import { SipMessage } from '../../edge/sip/message';
import type { Dialog } from '../../edge/dialog';
import type { ServerRequest } from '../../edge/ua';
import { acceptContact, conferenceInfo, msrpSdp, type CpmService, type Participant } from './bodies';
import { SipPeer, type PeerEnv } from './sip-peer';
import { readMsrpMedia } from '../../msrp/sdp';

export type NetworkRole = 'CF' | 'REMOTE_PF' | 'IWF';

export class NetworkPeer extends SipPeer {
  /** conference subscriptions the CF accepted, newest last */
  readonly subscriptions: Dialog[] = [];
  /** participants a CF reports in its NOTIFYs */
  roster: Participant[] = [];
  private notifyVersion = 0;

  private constructor(readonly role: NetworkRole, name: string, env: PeerEnv, transport: Awaited<ReturnType<typeof SipPeer.listen>>) {
    super(name, env, transport);
    this.answer = (req) => this.defaultAnswer(req);
  }

  static async create(role: NetworkRole, name: string, env: PeerEnv): Promise<NetworkPeer> {
    return new NetworkPeer(role, name, env, await SipPeer.listen());
  }

  private defaultAnswer(req: ServerRequest): number | SipMessage | 'none' {
    const m = req.msg;
    if (m.method === 'INVITE') {
      const res = SipMessage.response(200, 'OK');
      res.add('Content-Type', 'application/sdp');
      const streams = Math.max(1, (m.body.toString('utf8').match(/^m=message/gm) ?? []).length);
      // with an MSRP endpoint the peer waits for the PF to connect to it (a=setup:passive, D-161)
      res.body = Buffer.from(msrpSdp({ host: this.host, port: 30000 + (this.port % 20000), session: this.name, streams, ...(this.msrp ? { path: this.msrp.path, setup: 'passive' as const } : {}) }));
      const offered = this.msrp ? readMsrpMedia(m.body.toString('utf8'))?.path : undefined;
      if (this.msrp && offered) this.msrp.remotePath = offered;
      return res;
    }
    if (m.method === 'SUBSCRIBE' && this.role === 'CF') {
      const expires = Number(m.get('expires') ?? '3600');
      const res = SipMessage.response(200, 'OK');
      res.add('Expires', String(expires));
      this.ua.respond(req, res);
      const d = req.dialog ?? this.ua.findDialogByCallId(m.get('call-id')!);
      if (d && expires > 0) {
        this.subscriptions.push(d);
        void this.notify(d, 'full');
      } else if (d) void this.notify(d, 'full', 'terminated;reason=timeout');
      return 'none';
    }
    return 200;
  }

  /** The group's entity, as the CF writes it in conference-info. */
  groupUri(id: string): string {
    return this.uriOf(id);
  }

  /** A conference-info NOTIFY on a subscription dialog (E14, E15, E16). */
  notify(d: Dialog, state: 'full' | 'partial', subscriptionState = 'active;expires=3600', users = this.roster): Promise<SipMessage> {
    const m = SipMessage.request('NOTIFY', d.remoteTarget);
    m.add('Event', 'conference');
    m.add('Subscription-State', subscriptionState);
    m.add('Content-Type', 'application/conference-info+xml');
    m.body = Buffer.from(conferenceInfo({ entity: d.localUri.replace(/^<|>$/g, ''), version: ++this.notifyVersion, state, users }));
    return this.sendInDialog(d, m);
  }

  /**
   * A chat invitation toward a served user of the PF (an IWF or another user's PF starting a
   * session); ACKs a 2xx and returns the dialog. The same Contribution-ID from a second IWF joins
   * the first one's session (DECISIONS D-107).
   */
  async inviteServed(aor: string, o: { from: string; contributionId: string; conversationId: string; service?: CpmService }): Promise<{ final: SipMessage; dialog?: Dialog }> {
    const m = SipMessage.request('INVITE', aor);
    m.add('From', `<${o.from}>`);
    m.add('To', `<${aor}>`);
    m.add('Contact', `<${this.uriOf(this.name)}>`);
    m.add('P-Asserted-Identity', `<${o.from}>`);
    m.add('Accept-Contact', acceptContact([o.service ?? 'session']));
    m.add('User-Agent', this.role === 'IWF' ? 'CPM-serv/OMA2.1 IWF' : 'CPM-serv/OMA2.2');
    m.add('Contribution-ID', o.contributionId);
    m.add('Conversation-ID', o.conversationId);
    m.add('Content-Type', 'application/sdp');
    m.body = Buffer.from(msrpSdp({ host: this.host, port: 30000 + (this.port % 20000), session: this.name }));
    const final = await this.send(m, { proto: 'udp', ...this.env.pf });
    const dialog = final.status >= 200 && final.status < 300 ? this.ua.dialogForResponse(m) : undefined;
    if (dialog) this.ua.ack(dialog);
    return { final, dialog };
  }

  /** A MESSAGE toward a served user of the PF (an IMDN or a pager-mode message). */
  sendToServed(aor: string, o: { from: string; service: CpmService; contentType: string; body: string; headers?: Record<string, string> }): Promise<SipMessage> {
    const m = SipMessage.request('MESSAGE', aor);
    m.add('From', `<${o.from}>`);
    m.add('To', `<${aor}>`);
    m.add('P-Asserted-Identity', `<${o.from}>`);
    m.add('P-Asserted-Service', `urn:urn-7:3gpp-service.ims.icsi.oma.cpm.${o.service}`);
    m.add('Accept-Contact', acceptContact([o.service]));
    m.add('Conversation-ID', o.headers?.['Conversation-ID'] ?? randomUUID());
    m.add('User-Agent', this.role === 'IWF' ? 'CPM-serv/OMA2.1 IWF' : 'CPM-serv/OMA2.2');
    for (const [k, v] of Object.entries(o.headers ?? {})) if (k !== 'Conversation-ID') m.add(k, v);
    m.add('Content-Type', o.contentType);
    m.body = Buffer.from(o.body, 'utf8');
    return this.send(m, { proto: 'udp', ...this.env.pf });
  }

  /** An initial request of any kind toward the PF (e.g. an INVITE for DSP), headers as given. */
  sendRaw(method: string, uri: string, headers: Record<string, string>, body = ''): Promise<SipMessage> {
    const m = SipMessage.request(method, uri);
    for (const [k, v] of Object.entries(headers)) m.add(k, v);
    if (method === 'INVITE' && !headers['Content-Type'] && !body) {
      m.add('Content-Type', 'application/sdp');
      body = msrpSdp({ host: this.host, port: 30000 + (this.port % 20000), session: this.name });
    }
    m.body = Buffer.from(body, 'utf8');
    return this.send(m, { proto: 'udp', ...this.env.pf });
  }

  /** The dialog a received INVITE created (after our 2xx). */
  dialogOf(req: ServerRequest): Dialog | undefined {
    return req.dialog ?? this.ua.findDialogByCallId(req.msg.get('call-id')!);
  }

  bye(d: Dialog, reason?: string): Promise<SipMessage> {
    const m = SipMessage.request('BYE', d.remoteTarget);
    if (reason) m.add('Reason', reason);
    return this.sendInDialog(d, m);
  }
}
