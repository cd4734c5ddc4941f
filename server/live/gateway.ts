// socket.io gateway: pushes live events to consoles and lets a (re)connecting console resume from
// the last event id it saw, so a dropped connection leaves no gap and shows nothing twice.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from './events';
import type { LiveBus } from './bus';
import type { DecisionLog } from '../store/decision-log';

const REPLAY_PAGE = 500;

export function attachGateway(http: HttpServer, bus: LiveBus, log: DecisionLog): Server<ClientToServerEvents, ServerToClientEvents> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { path: '/socket.io', serveClient: false });
  io.on('connection', (socket) => {
    socket.on('decisions:resume', async ({ afterSeq, limit }) => {
      // Join first, then replay: a decision made meanwhile arrives both ways and the client
      // de-duplicates by seq, whereas the other order could lose it.
      socket.join('decisions');
      const take = Math.min(Math.max(1, limit ?? REPLAY_PAGE), REPLAY_PAGE);
      const decisions = await log.since(Number(afterSeq) || 0, take);
      socket.emit('decisions:replayed', { decisions, complete: decisions.length < take });
    });
  });
  bus.on('decision', (d) => io.to('decisions').emit('decision:made', d));
  return io;
}
