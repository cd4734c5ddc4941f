// Installs the PF's request handlers on a connected srf. This file is the map of where each SIP
// request goes; each handler lives in its own file.
import type { Logger } from '../log';
import { messageHandler, type MessageHandlerDeps } from './message-handler';
import { contactHeaderFor, type Registrar } from './registrar';
import type { SrfApp } from './srf-types';

export function installPfHandlers(srf: SrfApp, deps: MessageHandlerDeps & { registrar: Registrar; log: Logger }): void {
  // OPTIONS: liveness for peers and monitoring (answered by the app, so it proves the whole chain).
  srf.options((_req, res) => res.send(200, 'OK', { headers: { Allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, REGISTER, SUBSCRIBE, NOTIFY' } }));

  srf.register((req, res) => {
    const now = deps.now();
    deps.registrar
      .handleRegister(req, now)
      .then((out) => {
        if (!out.ok) return res.send(out.status, out.reason);
        const contact = contactHeaderFor(out.bindings, now);
        res.send(200, 'OK', { headers: contact ? { Contact: contact } : {} });
      })
      .catch((err: Error) => {
        deps.log.error(`REGISTER failed: ${err.message}`);
        res.send(500, 'Server Internal Error');
      });
  });

  srf.message(messageHandler(deps));
}
