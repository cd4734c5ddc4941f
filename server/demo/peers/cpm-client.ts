// One device of a served user: registers with the CPM feature tags and a User-Agent, answers what
// the PF delivers (with a status the flow may change, e.g. to play an unreachable phone), sends
// messages and disposition notifications, joins sessions and leaves them.
import { randomUUID } from 'node:crypto';
import { SipMessage } from '../../edge/sip/message';
import type { Dialog } from '../../edge/dialog';
import { acceptContact, icsiTag, msrpSdp, type CpmService } from './bodies';
import { SipPeer, type PeerEnv } from './sip-peer';
import { readMsrpMedia } from '../../msrp/sdp';

export interface DeviceOptions {
  user: string;
  device: string;
  domain: string;
  /** e.g. CPM-client/OMA2.2, or CPM-client/OMA1.0 for a client that sends no chat IMDNs */
  userAgent?: string;
  services?: CpmService[];
  /** answers MESSAGE with this status (default 200) */
  messageStatus?: number;
  /** the MSRP SDP it answers with leaves message/imdn+xml out */
  noImdnInSdp?: boolean;
}

export const ALL_CPM_SERVICES: CpmService[] = ['msg', 'largemsg', 'deferred', 'session', 'filetransfer'];

export class CpmClient extends SipPeer {
  readonly aor: string;
  readonly userAgent: string;
  readonly services: CpmService[];
  readonly instance = `<urn:uuid:${randomUUID()}>`;
  messageStatus: number;
  private cseq = 1;
  private readonly callId: string;

  private constructor(env: PeerEnv, transport: Awaited<ReturnType<typeof SipPeer.listen>>, readonly opts: DeviceOptions) {
    super(`${opts.user}-${opts.device}`, env, transport);
    this.aor = `sip:${opts.user}@${opts.domain}`;
    this.userAgent = opts.userAgent ?? 'CPM-client/OMA2.2';
    this.services = opts.services ?? ALL_CPM_SERVICES;
    this.messageStatus = opts.messageStatus ?? 200;
    this.callId = this.newCallId();
    this.answer = (req) => {
      const m = req.msg;
      const res = SipMessage.response(m.method === 'MESSAGE' ? this.messageStatus : 200, m.method === 'MESSAGE' && this.messageStatus !== 200 ? 'Refused by demo device' : 'OK');
      res.add('User-Agent', this.userAgent);
      if (m.method === 'INVITE' && res.status === 200) {
        res.add('Content-Type', 'application/sdp');
        // with an MSRP endpoint the device waits for the PF to connect (a=setup:passive, D-161)
        res.body = Buffer.from(msrpSdp({ host: this.host, port: 20000 + (this.port % 20000), session: this.name, imdn: !opts.noImdnInSdp, streams: countStreams(m), ...(this.msrp ? { path: this.msrp.path, setup: 'passive' as const } : {}) }));
      }
      return res;
    };
  }

  static async device(env: PeerEnv, opts: DeviceOptions): Promise<CpmClient> {
    return new CpmClient(env, await SipPeer.listen(), opts);
  }

  get contact(): string {
    return `<sip:${this.opts.user}-${this.opts.device}@${this.hostPort}>;+sip.instance="${this.instance}";${icsiTag(this.services)}`;
  }

  async register(expires = 600): Promise<SipMessage> {
    const m = SipMessage.request('REGISTER', this.pfUri);
    m.add('From', `<${this.aor}>`);
    m.add('To', `<${this.aor}>`);
    m.add('Call-ID', this.callId);
    m.add('CSeq', `${this.cseq++} REGISTER`);
    m.add('Contact', expires === 0 ? `<sip:${this.opts.user}-${this.opts.device}@${this.hostPort}>;expires=0` : this.contact);
    m.add('Expires', String(expires));
    m.add('User-Agent', this.userAgent);
    return this.send(m, { proto: 'udp', ...this.env.pf });
  }

  unregister(): Promise<SipMessage> {
    return this.register(0);
  }

  /** An originating MESSAGE (a message or an IMDN the user sends), routed through the PF. */
  sendMessage(uri: string, o: { service: CpmService; contentType: string; body: string; headers?: Record<string, string> }): Promise<SipMessage> {
    const m = SipMessage.request('MESSAGE', uri);
    m.add('Route', this.pfRoute);
    m.add('From', `<${this.aor}>`);
    m.add('To', `<${uri}>`);
    m.add('P-Preferred-Service', `urn:urn-7:3gpp-service.ims.icsi.oma.cpm.${o.service}`);
    m.add('Accept-Contact', acceptContact([o.service]));
    m.add('Contact', `<sip:${this.opts.user}-${this.opts.device}@${this.hostPort}>`);
    m.add('User-Agent', this.userAgent);
    for (const [k, v] of Object.entries(o.headers ?? {})) m.add(k, v);
    m.add('Content-Type', o.contentType);
    m.body = Buffer.from(o.body, 'utf8');
    return this.send(m, { proto: 'udp', ...this.env.pf });
  }

  /** Joins a chat (1-1 or group) through the PF; ACKs a 2xx and returns the dialog. */
  async invite(uri: string, o: { service?: CpmService; headers?: Record<string, string> } = {}): Promise<{ final: SipMessage; dialog?: Dialog }> {
    const m = SipMessage.request('INVITE', uri);
    m.add('Route', this.pfRoute);
    m.add('From', `<${this.aor}>`);
    m.add('To', `<${uri}>`);
    m.add('Contact', `<sip:${this.opts.user}-${this.opts.device}@${this.hostPort}>;${icsiTag(['session'])}`);
    m.add('Accept-Contact', acceptContact([o.service ?? 'session']));
    m.add('User-Agent', this.userAgent);
    m.add('Contribution-ID', randomUUID());
    m.add('Conversation-ID', randomUUID());
    for (const [k, v] of Object.entries(o.headers ?? {})) m.add(k, v);
    m.add('Content-Type', 'application/sdp');
    m.body = Buffer.from(msrpSdp({ host: this.host, port: 20000 + (this.port % 20000), session: this.name, imdn: !this.opts.noImdnInSdp, ...(this.msrp ? { path: this.msrp.path } : {}) }));
    const final = await this.send(m, { proto: 'udp', ...this.env.pf });
    const dialog = final.status >= 200 && final.status < 300 ? this.ua.dialogForResponse(m) : undefined;
    if (dialog) this.ua.ack(dialog);
    // with an MSRP endpoint the device connects to the PF's path from the answer (it offered a=setup:active)
    if (dialog && this.msrp) {
      const path = readMsrpMedia(final.body.toString('utf8'))?.path;
      if (path) {
        this.msrp.remotePath = path;
        await this.msrp.connect();
      }
    }
    return { final, dialog };
  }

  /** Subscribes to a group's conference (RFC 4575) through the PF; returns the dialog on a 2xx. */
  async subscribeConference(groupUri: string, expires = 600): Promise<{ final: SipMessage; dialog?: Dialog }> {
    const m = SipMessage.request('SUBSCRIBE', groupUri);
    m.add('Route', this.pfRoute);
    m.add('From', `<${this.aor}>`);
    m.add('To', `<${groupUri}>`);
    m.add('Contact', `<sip:${this.opts.user}-${this.opts.device}@${this.hostPort}>`);
    m.add('Event', 'conference');
    m.add('Accept', 'application/conference-info+xml');
    m.add('Expires', String(expires));
    m.add('User-Agent', this.userAgent);
    const final = await this.send(m, { proto: 'udp', ...this.env.pf });
    const dialog = final.status >= 200 && final.status < 300 ? this.ua.dialogForResponse(m) : undefined;
    return { final, dialog };
  }

  /** Ends a conference subscription (in-dialog SUBSCRIBE with Expires: 0). */
  unsubscribeConference(dialog: Dialog): Promise<SipMessage> {
    const m = SipMessage.request('SUBSCRIBE', dialog.remoteTarget);
    m.add('Event', 'conference');
    m.add('Expires', '0');
    return this.sendInDialog(dialog, m);
  }

  /** BYE on an established dialog, with a Reason when given (E8, E10, E11). */
  bye(dialog: Dialog, reason?: string): Promise<SipMessage> {
    const m = SipMessage.request('BYE', dialog.remoteTarget);
    if (reason) m.add('Reason', reason);
    return this.sendInDialog(dialog, m);
  }
}

function countStreams(m: SipMessage): number {
  return Math.max(1, (m.body.toString('utf8').match(/^m=message/gm) ?? []).length);
}
