// Installs the PF's request handlers on a connected srf. This file is the map of where each SIP
// request goes; each handler lives in its own file.
import type { Logger } from '../log';
import { deferredMessagesHandler, type DeferredMessagesDeps } from './deferred-messages';
import type { ImdnService } from './imdn/imdn-service';
import { messageHandler, type MessageHandlerDeps } from './message-handler';
import type { PagerService } from './pager/pager-service';
import { contactHeaderFor, type Registrar } from './registrar';
import type { Handler, SrfApp } from './srf-types';
import { RETRY_AFTER_SEC } from './storage-unavailable';
import { installSessionHandlers, type SessionDeps } from './session/install';

export interface PfAppDeps extends MessageHandlerDeps, DeferredMessagesDeps, Pick<SessionDeps, 'instance' | 'topologyConfig' | 'msrp' | 'userPrefs' | 'sessionRows'> {
  registrar: Registrar;
  imdn: ImdnService;
  pager: PagerService;
  log: Logger;
}

/** Installs every handler; returns what must be closed when the PF stops. */
export function installPfHandlers(srf: SrfApp, deps: PfAppDeps): { message: Handler; releaseSessions(waitMs: number): Promise<number>; close(): void } {
  // OPTIONS: liveness for peers and monitoring (answered by the app, so it proves the whole chain).
  srf.options((_req, res) => res.send(200, 'OK', { headers: { Allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, REGISTER, SUBSCRIBE, NOTIFY' } }));

  // REGISTER: the registrar; a client that (re)registers then gets what was deferred for its user.
  srf.register((req, res) => {
    if (deps.inFlight.draining) return res.send(503, 'Shutting Down', { headers: { 'Retry-After': RETRY_AFTER_SEC } });
    const now = deps.now();
    const work = () => deps.registrar
      .handleRegister(req, now)
      .then(async (out) => {
        if (!out.ok) return res.send(out.status, out.reason);
        const contact = contactHeaderFor(out.bindings, now);
        res.send(200, 'OK', { headers: contact ? { Contact: contact } : {} });
        for (const b of out.added) {
          await deps.imdn.redeliver(b);
          await deps.pager.redeliver(b);
        }
      })
      .catch((err: Error) => {
        deps.log.error(`REGISTER failed: ${err.stack ?? err.message}`);
        // The binding could not be stored: the client must not believe it is registered.
        if (!res.finished) res.send(503, 'Service Unavailable', { headers: { 'Retry-After': RETRY_AFTER_SEC } });
      });
    void deps.inFlight.track(work);
  });

  // MESSAGE: IMDNs (RX, DLV, TX) and standalone messages, originating or terminating.
  // A MESSAGE outside a dialog may come over the MESSAGE link instead (D-341): the same handler.
  const message = messageHandler(deps);
  srf.message(message);

  // SUBSCRIBE deferred-messages (DSP-4): 200, NOTIFY, deferred items to the Message Store.
  srf.subscribe(deferredMessagesHandler(deps));
  const sessions = installSessionHandlers(srf, deps);
  return { message, releaseSessions: (waitMs: number) => sessions.releaseAll(waitMs), close: () => sessions.close() };
}
