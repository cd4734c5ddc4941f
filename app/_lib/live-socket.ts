'use client';
// The console's one socket.io connection. Hooks resume from the last event id they hold after
// every (re)connection, so a dropped link leaves no gap; they key events by id, so none shows twice.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/live/events';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;

export function liveSocket(): LiveSocket {
  if (socket) return socket;
  const s: LiveSocket = io({ path: '/socket.io', transports: ['websocket', 'polling'], reconnectionDelayMax: 2000 });
  // socket.io does not reconnect by itself after the server closed the socket on purpose (a
  // restart, a load balancer drain): the console wants the stream back regardless.
  s.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') setTimeout(() => s.connect(), 250);
  });
  socket = s;
  return s;
}
