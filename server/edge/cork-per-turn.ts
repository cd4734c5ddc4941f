// One write per turn of the event loop on a control-protocol socket (D-251, D-296): under load the
// UDP reads of one poll phase each produce a frame, and one syscall per frame was the largest
// single cost left on the PF's main thread (srf's sends were 14 % of its busy time at 500 IMDN
// MESSAGEs/s). The frames of a turn are held and leave together in the check phase of the same
// turn, before the peer could have read anything more, so no frame waits longer than its turn.
import type net from 'node:net';

const CORKED = Symbol('corkPerTurn');

/** Makes `socket.write` hold what is written until the end of the current turn (idempotent). */
export function corkPerTurn(socket: net.Socket): void {
  const s = socket as net.Socket & { [CORKED]?: true };
  if (s[CORKED]) return;
  s[CORKED] = true;
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  // an own property: the callers (srf's wire protocol, the edge's control server) call write as a method
  socket.write = function corkedWrite(this: net.Socket, ...args: unknown[]): boolean {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as net.Socket['write'];
}
