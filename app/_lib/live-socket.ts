'use client';
// The console's one socket.io connection. It resumes from the last event id it holds after every
// (re)connection, so a dropped link leaves no gap; decisions are keyed by seq, so none shows twice.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/live/events';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;

export function liveSocket(): LiveSocket {
  socket ??= io({ path: '/socket.io', transports: ['websocket', 'polling'] });
  return socket;
}
