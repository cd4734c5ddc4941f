// srf sends each frame to the edge (or drachtio-server) as a write of its own, a syscall each.
// Its sends from one turn of the event loop are held to the turn's end instead (corkPerTurn,
// D-296). srf offers no handle on its connection, so this reaches into the pinned version's
// internals; when they are not where expected, srf runs as it is and the caller says so.
import type { EventEmitter } from 'node:events';
import type net from 'node:net';
import { corkPerTurn } from '../edge/cork-per-turn';

interface SrfInternals {
  _app?: { client?: { wp?: EventEmitter; mapServer?: Map<net.Socket, unknown> } };
}

/** srf's connection: its wire protocol and the sockets it has now (absent: not the srf this was written for) */
function connection(srf: unknown): { wp: EventEmitter; sockets: Map<net.Socket, unknown> } | undefined {
  const client = (srf as SrfInternals)._app?.client;
  if (!client?.wp || typeof client.wp.on !== 'function' || !(client.mapServer instanceof Map)) return undefined;
  return { wp: client.wp, sockets: client.mapServer };
}

/** Corks srf's sends per turn, on its connection now and every reconnection; false when srf's internals are not as expected. Call after srf.connect(). */
export function corkSrfSends(srf: unknown): boolean {
  const c = connection(srf);
  if (!c) return false;
  c.wp.on('connect', (socket: net.Socket) => corkPerTurn(socket));
  for (const s of c.sockets.keys()) corkPerTurn(s);
  return true;
}

/** srf's sockets to the edge now (for tests) */
export function srfSockets(srf: unknown): net.Socket[] {
  return [...(connection(srf)?.sockets.keys() ?? [])];
}
