// DSP-4 / 8.3.1.6.4: a SUBSCRIBE with Event deferred-messages. Answered 200 (RFC 6665 removed
// 202 for SUBSCRIBE; srf's createUAS would send 202), then an immediate NOTIFY; the user's
// deferred items are handed to the Message Store (SPEC §11.3). Other SUBSCRIBEs go on to the
// next handler.
import { header } from '../engine/message';
import type { Logger } from '../log';
import { aorOf } from './addresses';
import type { EffectRunner } from './effect-runner';
import type { EffectStore } from './effect-store';
import { viewFromRaw } from './message-view';
import type { PfState } from './pf-state';
import type { DecisionSink } from './record-decisions';
import type { Handler, SrfApp } from './srf-types';

const MAX_EXPIRES = 3600;

export interface DeferredMessagesDeps {
  srf: SrfApp;
  state: PfState;
  store: EffectStore;
  runner: EffectRunner;
  isServed: (aor: string) => boolean;
  record: DecisionSink;
  log: Logger;
  now: () => number;
}

export function deferredMessagesHandler(deps: DeferredMessagesDeps): Handler {
  return (req, res, next) => {
    const view = viewFromRaw(req.msg.raw ?? req.msg.toString());
    const callId = header(view, 'call-id');
    const dsp = deps.state.engine.call('dispatch', { request: view, policy: deps.state.policy });
    if (dsp.handler !== '8.3.1.6.4') return next();
    const servedUser = aorOf(req.uri);
    deps.record(dsp.decisions.map((d) => ({ ...d, servedUser: servedUser ?? undefined })), { callId, now: deps.now() });
    if (!servedUser || !deps.isServed(servedUser)) {
      // SUBSCRIBE-1 (D-260): not a user this PF serves
      const txn = `${callId}|${header(view, 'cseq') ?? ''}`;
      const r = deps.state.engine.call('refuseNotServed', { method: 'SUBSCRIBE', ...(servedUser ? { target: servedUser } : {}), txn, ...(callId !== undefined ? { callId } : {}) });
      deps.record(r.decisions, { callId, now: deps.now() });
      deps.runner.hold(txn, res);
      void deps.runner.run(r.effects, { servedUser: servedUser ?? '', sourceKey: txn });
      return;
    }
    const asked = Number(header(view, 'expires') ?? MAX_EXPIRES);
    const expires = Number.isFinite(asked) ? Math.max(0, Math.min(asked, MAX_EXPIRES)) : MAX_EXPIRES;
    res.send(200, 'OK', { headers: { Expires: String(expires) } }, (err) => {
      if (err || !res.stackDialogId) return deps.log.warn(`deferred-messages 200 not confirmed: ${err?.message ?? 'no dialog id'}`);
      void moveToStore(deps, servedUser)
        .then((moved) => notify(deps, res.stackDialogId!, expires, moved))
        .catch((e: Error) => deps.log.error(`deferred-messages for ${servedUser}: ${e.stack ?? e.message}`));
    });
  };
}

/** The deferred items go to the user's Message Store; returns how many moved. */
async function moveToStore(deps: DeferredMessagesDeps, aor: string): Promise<number> {
  const now = deps.now();
  const pending = await deps.store.pendingDeferred(aor, now);
  for (const p of pending) {
    await deps.store.storeDeferred(aor, p, now);
    await deps.store.markDelivered(p.id, now);
  }
  return pending.length;
}

function notify(deps: DeferredMessagesDeps, dialogId: string, expires: number, moved: number): void {
  // The package's body format is not specified (SPEC §11.3); a plain count is what we can state.
  const body = `deferred-items-stored: ${moved}\r\n`;
  deps.srf.request(
    'sip:placeholder',
    {
      method: 'NOTIFY',
      stackDialogId: dialogId,
      headers: { Event: 'deferred-messages', 'Subscription-State': expires > 0 ? `active;expires=${expires}` : 'terminated;reason=timeout', 'Content-Type': 'text/plain' },
      body,
    },
    (err) => err && deps.log.warn(`deferred-messages NOTIFY not sent: ${err.message}`),
  );
}
