// The PF's own participant-information subscription on the wire (SPEC §6.1, PIN): SUBSCRIBE_CONF
// effects become SUBSCRIBEs (a new dialog, or in-dialog for refresh and Expires: 0), and NOTIFYs
// in those dialogs go to PIN. A NOTIFY for a subscription the PF does not hold is PIN-N1 (481);
// subscriptions clients make through the PF are conf-relay.ts's (PIN-N1r, DECISIONS D-110).
import { confSubscribeSent } from '../../engine/participants/pin';
import type { Effect } from '../../engine/effects';
import type { SrfApp, SrfRequest, SrfResponseOut } from '../srf-types';
import { tagOf } from '../addresses';
import { viewFromRaw } from '../message-view';
import type { SessionRuntime } from './session-runtime';

type SubscribeConf = Extract<Effect, { kind: 'SUBSCRIBE_CONF' }>;

interface OwnSub {
  sessionId: string;
  /** drachtio dialog id of the subscription, once the SUBSCRIBE went out */
  dialogId: string;
}

/** The user part of the Contact the PF reserves for its own subscriptions (PIN-N1). */
export const OWN_SUBSCRIPTION_USER = 'pf-conf';


export class ConfSubscriber {
  private readonly byCallId = new Map<string, OwnSub>();

  constructor(
    private readonly srf: SrfApp,
    private readonly rt: SessionRuntime,
    private readonly contact: () => string,
  ) {}

  send(sessionId: string, e: SubscribeConf): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.headers ?? {})) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    if (e.inDialog) {
      const sub = [...this.byCallId.values()].find((x) => x.sessionId === sessionId);
      if (!sub) return;
      const inDialog = { Event: headers.Event ?? 'conference', Accept: headers.Accept ?? 'application/conference-info+xml', Expires: String(e.expires) };
      const opts = { method: 'SUBSCRIBE', headers: inDialog, stackDialogId: sub.dialogId } as { method: string; headers: Record<string, string> };
      this.srf.request('sip:placeholder', opts, (err, req) => {
        if (err) return;
        if (e.expires === 0) return; // the answer to an unsubscribe changes nothing (AMB-32 c)
        req.on('response', (res) => {
          if (res.status < 200) return;
          const response = viewFromRaw(res.msg.raw ?? '');
          void this.rt.step(sessionId, (s) => this.rt.deps.state.engine.call('onConfSubscribeResponse', { session: s, response, policy: this.rt.deps.state.policy, now: this.rt.deps.now() }));
        });
      });
      return;
    }
    headers.Contact = this.contact();
    this.srf.request(e.uri ?? '', { method: 'SUBSCRIBE', headers }, (err, req) => {
      if (err) {
        this.rt.deps.log.warn(`conference SUBSCRIBE for ${sessionId} not sent: ${err.message}`);
        return;
      }
      const callId = req.get('Call-ID') ?? '';
      const localTag = tagOf(req.get('From')) ?? '';
      this.byCallId.set(callId, { sessionId, dialogId: `${callId};from-tag=${localTag}` });
      void this.rt.step(sessionId, (s) => ({ session: confSubscribeSent(s, { callId, localTag }), effects: [], decisions: [] }));
      req.on('response', (res) => {
        if (res.status < 200) return;
        const response = viewFromRaw(res.msg.raw ?? '');
        const ok = res.status < 300;
        const dialog = ok ? { callId, localTag, remoteTag: tagOf(res.get('To')) ?? '' } : undefined;
        if (!ok) this.byCallId.delete(callId);
        void this.rt.step(sessionId, (s) => this.rt.deps.state.engine.call('onConfSubscribeResponse', { session: s, response, ...(dialog ? { dialog } : {}), policy: this.rt.deps.state.policy, now: this.rt.deps.now() }));
      });
    });
  }

  onNotify(req: SrfRequest, res: SrfResponseOut): void {
    const request = viewFromRaw(req.msg.raw ?? req.msg.toString());
    const sub = this.byCallId.get(req.get('Call-ID') ?? '');
    const txn = this.rt.hold(res);
    const now = this.rt.deps.now();
    const policy = this.rt.deps.state.policy;
    if (!sub || !this.rt.session(sub.sessionId)) {
      const own = new RegExp(`^sips?:${OWN_SUBSCRIPTION_USER}@`, 'i').test(req.uri);
      const r = this.rt.deps.state.engine.call('onConfNotify', { request, txn, target: own ? { kind: 'OWN' } : { kind: 'RELAY' }, policy, prefs: { ...policy.defaultUserPrefs, source: 'PROVIDER_DEFAULTS' }, now, newMessageId: '' });
      this.rt.deps.record(r.decisions, { callId: req.get('Call-ID'), now });
      this.rt.respond(txn, 481, 'Subscription does not exist');
      return;
    }
    const { sessionId } = sub;
    void this.rt
      .step(sessionId, async (s) => {
        const prefs = await this.rt.prefs(s.servedUser);
        const r = this.rt.deps.state.engine.call('onConfNotify', { session: s, request, txn, target: { kind: 'OWN' }, policy, prefs, now, newMessageId: `gso-${s.id}-${now}` });
        return { session: r.session, effects: r.effects, decisions: r.decisions };
      })
      // a BYE-1e-ii wait for the roster ends with the first NOTIFY (AMB-33)
      .then(() => this.rt.bye(sessionId, { kind: 'CONF_NOTIFY_APPLIED' }))
      .then(() => {
        if (/terminated/i.test(req.get('Subscription-State') ?? '')) this.byCallId.delete(req.get('Call-ID') ?? '');
        this.rt.respond(txn, 500, 'Server Internal Error'); // only when PIN left it unanswered
      });
  }
}
