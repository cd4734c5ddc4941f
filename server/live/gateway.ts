// socket.io gateway: pushes live events to consoles and lets a (re)connecting console resume from
// the last event id it saw, so a dropped connection leaves no gap and shows nothing twice.
// Rooms: `decisions` (the decision stream), `sessions` (the session list), `session:<id>` (one
// session's legs, SIP messages and summary).
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { decisionsTail } from '../http/queries/decisions';
import type { Overview } from '../http/queries/overview';
import { legById, sessionSummary } from '../http/queries/sessions';
import { logger } from '../log';
import type { DecisionLog } from '../store/decision-log';
import type { LiveBus } from './bus';
import { registeredServices } from './console-services';
import type { ClientToServerEvents, ServerToClientEvents } from './events';
import type { RedisLink } from './redis-adapter';

const REPLAY_PAGE = 500;
// a first load may take more at once: one indexed query, newest first
const TAIL_MAX = 5000;
const log = logger('live');
const OVERVIEW_MS = 1000;

/** the client's per-instance cursor (D-230), ignored when malformed rather than trusted */
function resumeCursor(raw: unknown): Record<string, number> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw).slice(0, 256)) if (k.length <= 200 && Number.isSafeInteger(v)) out[k] = v as number;
  return out;
}

export function attachGateway(
  http: HttpServer,
  bus: LiveBus,
  decisions: DecisionLog,
  overviewOf?: () => Promise<Overview>,
  /** the Redis adapter (REDIS_URL): rooms span every PF instance (issue 19) */
  adapter?: RedisLink['adapter'],
): Server<ClientToServerEvents, ServerToClientEvents> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { path: '/socket.io', serveClient: false, ...(adapter ? { adapter } : {}) });
  const db = () => registeredServices(bus)?.db;

  // The overview is computed once a second while anyone watches it, whatever their number.
  let ticker: NodeJS.Timeout | undefined;
  const watchers = () => io.sockets.adapter.rooms.get('overview')?.size ?? 0;
  const tick = async () => {
    if (!overviewOf) return;
    if (watchers() === 0) {
      clearInterval(ticker);
      ticker = undefined;
      return;
    }
    // this instance's overview to this instance's watchers: with Redis every instance has its own ticker
    io.local.to('overview').emit('overview:updated', await overviewOf());
  };

  io.on('connection', (socket) => {
    socket.on('decisions:resume', async (req) => {
      try {
        // Join first, then replay: a decision made meanwhile arrives both ways and the client
        // de-duplicates by seq, whereas the other order could lose it.
        await socket.join('decisions');
        const afterSeq = Number(req?.afterSeq) || 0;
        const take = Math.min(Math.max(1, Number(req?.limit) || REPLAY_PAGE), req?.tail ? TAIL_MAX : REPLAY_PAGE);
        const store = db();
        if (req?.tail && afterSeq <= 0 && store) {
          await decisions.flush();
          socket.emit('decisions:replayed', { decisions: await decisionsTail(store, take), complete: true });
          return;
        }
        const list = await decisions.since(afterSeq, take, resumeCursor(req?.after));
        socket.emit('decisions:replayed', { decisions: list, complete: list.length < take });
      } catch (err) {
        log.warn(`decision replay failed: ${(err as Error).message}`);
      }
    });
    // Join, then acknowledge: the console fetches its snapshot after the ack, so an update made
    // between its first fetch and the join is not lost (it is in the snapshot or in the room).
    socket.on('sessions:watch', async (joined) => {
      await socket.join('sessions');
      if (typeof joined === 'function') joined();
    });
    socket.on('sessions:unwatch', () => void socket.leave('sessions'));
    socket.on('overview:watch', async () => {
      if (!overviewOf) return;
      await socket.join('overview');
      socket.emit('overview:updated', await overviewOf());
      ticker ??= setInterval(() => void tick().catch((err: Error) => log.warn(`overview: ${err.message}`)), OVERVIEW_MS);
      ticker.unref();
    });
    socket.on('overview:unwatch', () => void socket.leave('overview'));
    socket.on('session:watch', async (req, joined) => {
      if (typeof req?.id !== 'string' || req.id.length > 200) return;
      await socket.join(`session:${req.id}`);
      if (typeof joined === 'function') joined();
    });
    socket.on('session:unwatch', (req) => {
      if (typeof req?.id === 'string') void socket.leave(`session:${req.id}`);
    });
  });

  // Live events go only to rooms someone is in (issue 17). A console that joins later fetches its
  // snapshot after the join, so nothing it needs is skipped. With the Redis adapter the watchers
  // may be on another instance, which this one cannot see without a round trip to every node per
  // update: there every room counts as watched (D-263).
  const watched = (room: string) => adapter !== undefined || (io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0;

  // socket.io encodes a broadcast before it looks for the room's sockets: unchecked, every
  // decision of every request was serialised for an empty room (D-331)
  bus.on('decision', (d) => {
    if (watched('decisions')) io.to('decisions').emit('decision:made', d);
  });

  // Session and leg updates also read the database, so for them the check saves a query as well.
  const publishSession = async (sessionId: string) => {
    const store = db();
    if (!store || !(watched('sessions') || watched(`session:${sessionId}`))) return;
    const s = await sessionSummary(store, sessionId);
    if (s) io.to('sessions').to(`session:${sessionId}`).emit('session:updated', s);
  };
  bus.on('session:updated', ({ sessionId }) => {
    publishSession(sessionId).catch((err: Error) => log.warn(`session ${sessionId}: ${err.message}`));
  });
  bus.on('leg:updated', ({ sessionId, legId }) => {
    const store = db();
    if (!store) return;
    if (!watched(`session:${sessionId}`)) {
      publishSession(sessionId).catch((err: Error) => log.warn(`session ${sessionId}: ${err.message}`));
      return;
    }
    void legById(store, legId)
      .then((leg) => {
        if (!leg) return;
        io.to(`session:${sessionId}`).emit('leg:updated', leg);
        if (leg.state === 'TERMINATED') io.to(`session:${sessionId}`).emit('leg:released', leg);
        return publishSession(sessionId);
      })
      .catch((err: Error) => log.warn(`leg ${legId}: ${err.message}`));
  });
  bus.on('sip:traced', (m) => {
    if (m.sessionId && watched(`session:${m.sessionId}`)) io.to(`session:${m.sessionId}`).emit('sip:message', m);
  });
  bus.on('registration:changed', (r) => {
    if (adapter !== undefined || io.sockets.sockets.size > 0) io.emit('registration:changed', r);
  });
  bus.on('sockets:drop', () => io.disconnectSockets(true));
  return io;
}
