// PIN-N1r on the wire, B2BUA mode (SPEC §6.2; DECISIONS D-110): a served client's own conference
// subscription goes through the PF. The client's SUBSCRIBE (Event: conference, to the focus of a
// group session the user is in) is sent on from the PF; the focus's final answer goes back to the
// client. Each NOTIFY of the focus is decided by PIN (onConfNotify, target RELAY), which relays it
// on the client's dialog and applies its roster to the session (source RELAYED, used by
// BYE-1e-ii); the client's answer goes back to the focus. In-dialog SUBSCRIBEs (refresh,
// Expires: 0) are relayed the same way.
import type { Effect } from '../../engine/effects';
import { parseEvent } from '../../engine/parse/event';
import { aorOf, parseNameAddr, sameUri, tagOf } from '../addresses';
import { viewFromRaw } from '../message-view';
import type { Handler, SrfApp, SrfRequest, SrfResponseIn, SrfResponseOut } from '../srf-types';
import type { SessionRuntime } from './session-runtime';

/** how long a conference SUBSCRIBE waits for its user's sessions being set up (D-293) */
const SET_UP_WAIT_MS = 5000;

/** The user part of the Contact the PF puts on subscriptions it relays for clients. */
export const RELAY_SUBSCRIPTION_USER = 'pf-relay';

interface Relay {
  sessionId: string;
  /** names the client's subscription dialog in PIN's effects (clientSubLeg) */
  legId: string;
  focusCallId: string;
  clientCallId: string;
  /** the edge's dialog ids: toward the focus (the PF is subscriber), toward the client (notifier) */
  focusDialogId: string;
  clientDialogId?: Promise<string | undefined>;
  /** forgets the relay when the subscription has run out unrefreshed (its peers may vanish silently) */
  expiry?: NodeJS.Timeout;
}

// after the subscription's own expiry, time for a late refresh or final NOTIFY (64*T1)
const EXPIRY_GRACE_MS = 32_000;
const RELAYED_HEADERS = ['Event', 'Subscription-State', 'Content-Type'];

export class ConfRelay {
  private readonly byFocusCallId = new Map<string, Relay>();
  private readonly byClientCallId = new Map<string, Relay>();

  constructor(
    private readonly srf: SrfApp,
    private readonly rt: SessionRuntime,
    private readonly contact: () => string,
    /** the request came from a registered client of this served user */
    private readonly isClientOf: (aor: string, req: SrfRequest) => boolean,
  ) {}

  get size(): number {
    return this.byFocusCallId.size;
  }

  /** srf.subscribe handler: conference SUBSCRIBEs of served clients; other events go on. */
  handler(): Handler {
    return (req, res, next) => {
      const ev = parseEvent(req.get('Event'));
      if (!ev.ok || ev.value.eventType !== 'conference') return next();
      if (tagOf(req.get('To')) !== undefined) return this.inDialog(req, res);
      void this.afterSetUp(req, res);
    };
  }

  // A client subscribes to its group's conference as soon as it has the 200 of its join, which
  // can overtake the shell putting the session in state (D-293): the decision waits for the
  // user's sessions being set up, at most a few seconds, then decides on what is there.
  private async afterSetUp(req: SrfRequest, res: SrfResponseOut): Promise<void> {
    const servedUser = aorOf(parseNameAddr(req.get('From') ?? '')?.uri ?? '') ?? undefined;
    if (servedUser) await this.rt.settled(servedUser, SET_UP_WAIT_MS);
    this.initial(req, res);
  }

  private initial(req: SrfRequest, res: SrfResponseOut): void {
    const from = parseNameAddr(req.get('From') ?? '')?.uri ?? '';
    const servedUser = aorOf(from) ?? undefined;
    const callId = req.get('Call-ID');
    // who may subscribe through the PF, an engine decision (PIN-N1r-S, D-110, D-260)
    const decided = this.rt.deps.state.engine.call('relayConfSubscribe', {
      ...(servedUser ? { servedUser } : {}),
      fromClient: servedUser !== undefined && this.isClientOf(servedUser, req),
      conference: req.uri,
      sessions: servedUser ? this.rt.sessionsOf(servedUser) : [],
      txn: `conf-sub|${callId ?? ''}`,
      ...(callId ? { callId } : {}),
    });
    const session = decided.sessionId === undefined ? undefined : this.rt.session(decided.sessionId);
    if (!servedUser || !session) {
      this.rt.deps.runner.hold(`conf-sub|${callId ?? ''}`, res);
      void this.rt.answer(session, decided);
      return;
    }
    void this.rt.answer(session, { effects: [], decisions: decided.decisions });
    const headers: Record<string, string> = {
      From: `<${servedUser}>`,
      To: `<${req.uri}>`,
      Contact: this.contact(),
      Event: req.get('Event') ?? 'conference',
      Accept: req.get('Accept') ?? 'application/conference-info+xml',
      Expires: req.get('Expires') ?? '3600',
    };
    const clientCallId = req.get('Call-ID') ?? '';
    let ready: (id: string | undefined) => void = () => {};
    const relay: Relay = { sessionId: session.id, legId: `sub-${clientCallId}`, focusCallId: '', clientCallId, focusDialogId: '' };
    relay.clientDialogId = new Promise((r) => (ready = r));
    this.srf.request(req.uri, { method: 'SUBSCRIBE', headers }, (err, out) => {
      if (err) {
        const txn = this.rt.hold(res);
        const r = this.rt.deps.state.engine.call('confFocusUnreachable', { servedUser, sessionId: session.id, conference: req.uri, error: err.message, txn, ...(callId ? { callId } : {}) });
        void this.rt.answer(this.rt.session(session.id), r);
        return;
      }
      relay.focusCallId = out.get('Call-ID') ?? '';
      relay.focusDialogId = `${relay.focusCallId};from-tag=${tagOf(out.get('From')) ?? ''}`;
      // a NOTIFY may overtake the focus's 200: the relay is known from the moment the SUBSCRIBE left
      this.byFocusCallId.set(relay.focusCallId, relay);
      this.byClientCallId.set(clientCallId, relay);
      out.on('response', (answer: SrfResponseIn) => {
        if (answer.status < 200) return;
        if (answer.status >= 300) {
          this.forget(relay);
          ready(undefined);
          res.send(answer.status, answer.reason);
          return;
        }
        const expires = answer.get('Expires') ?? headers.Expires;
        this.expireIn(relay, expires);
        res.send(answer.status, answer.reason, { headers: { Expires: expires } }, () => ready(res.stackDialogId));
      });
    });
  }

  private inDialog(req: SrfRequest, res: SrfResponseOut): void {
    const relay = this.byClientCallId.get(req.get('Call-ID') ?? '');
    if (!relay) {
      res.send(481, 'Subscription does not exist');
      return;
    }
    const headers = { Event: req.get('Event') ?? 'conference', Accept: req.get('Accept') ?? 'application/conference-info+xml', Expires: req.get('Expires') ?? '3600' };
    this.srf.request('sip:placeholder', { method: 'SUBSCRIBE', headers, stackDialogId: relay.focusDialogId }, (err, out) => {
      if (err) return res.send(481, 'Subscription does not exist');
      out.on('response', (answer: SrfResponseIn) => {
        if (answer.status < 200) return;
        const expires = answer.get('Expires') ?? headers.Expires;
        if (answer.status < 300) this.expireIn(relay, expires);
        res.send(answer.status, answer.reason, { headers: { Expires: expires } });
      });
    });
  }

  /** A NOTIFY from a focus: true when it belongs to a relayed subscription (then it is handled). */
  onNotify(req: SrfRequest, res: SrfResponseOut): boolean {
    const relay = this.byFocusCallId.get(req.get('Call-ID') ?? '');
    if (!relay) return false;
    const request = viewFromRaw(req.msg.raw ?? req.msg.toString());
    const txn = this.rt.hold(res);
    const terminated = /^\s*terminated/i.test(req.get('Subscription-State') ?? '');
    void relay.clientDialogId!.then(async (clientDialogId) => {
      if (!clientDialogId) return this.rt.respond(txn, 481, 'Subscription does not exist');
      const send = (e: Extract<Effect, { kind: 'SEND_REQ' }>) => this.toClient(clientDialogId, e, txn, () => terminated && this.forget(relay));
      if (!this.rt.session(relay.sessionId)) {
        // the session ended before the subscription: relay as it is, there is no roster to keep
        const headers: Record<string, string> = {};
        for (const h of RELAYED_HEADERS) if (req.get(h) !== undefined) headers[h] = req.get(h)!;
        return send({ kind: 'SEND_REQ', leg: relay.legId, method: 'NOTIFY', headers, ...(request.body ? { body: request.body } : {}) });
      }
      await this.rt.step(relay.sessionId, async (s) => {
        const now = this.rt.deps.now();
        const r = this.rt.deps.state.engine.call('onConfNotify', { session: s, request, txn, target: { kind: 'RELAY', clientSubLeg: relay.legId }, policy: this.rt.deps.state.policy, prefs: await this.rt.prefs(s.servedUser), now, newMessageId: '' });
        // PIN's NOTIFY toward the client travels on the client's subscription dialog, which the
        // session runtime does not hold: it is sent here, everything else runs as usual
        const mine = (e: Effect): e is Extract<Effect, { kind: 'SEND_REQ' }> => e.kind === 'SEND_REQ' && e.leg === relay.legId;
        for (const e of r.effects) if (mine(e)) send(e);
        return { session: r.session, effects: r.effects.filter((e) => !mine(e)), decisions: r.decisions };
      });
    });
    return true;
  }

  private toClient(dialogId: string, e: Extract<Effect, { kind: 'SEND_REQ' }>, txn: string, after: () => void): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    this.srf.request('sip:placeholder', { method: 'NOTIFY', headers, ...(e.body ? { body: e.body } : {}), stackDialogId: dialogId }, (err, out) => {
      if (err) {
        this.rt.respond(txn, 481, 'Subscription does not exist');
        return after();
      }
      out.on('response', (answer: SrfResponseIn) => {
        if (answer.status < 200) return;
        this.rt.respond(txn, answer.status, answer.reason);
        after();
      });
    });
  }

  private expireIn(relay: Relay, expires: string): void {
    const sec = Number.parseInt(expires, 10);
    clearTimeout(relay.expiry);
    relay.expiry = setTimeout(() => this.forget(relay), (Number.isFinite(sec) ? sec * 1000 : 0) + EXPIRY_GRACE_MS);
    relay.expiry.unref();
  }

  private forget(relay: Relay): void {
    clearTimeout(relay.expiry);
    this.byFocusCallId.delete(relay.focusCallId);
    this.byClientCallId.delete(relay.clientCallId);
  }

  /** Stops the expiry timers (the PF is stopping). */
  close(): void {
    for (const r of this.byFocusCallId.values()) clearTimeout(r.expiry);
  }
}
