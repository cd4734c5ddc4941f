// Embedded SIP edge: a stand-in for drachtio-server (SIP transport, transactions, dialogs)
// that drachtio-srf apps connect to over the drachtio control protocol.
import type { WireTap } from '../capture/wire';
import type net from 'node:net';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ControlServer } from './control-server';
import { LinkSocket } from './link-socket';
import { MessageLinkEdge, takesRequest } from './message-link';
import { Transport, type Proto, type TcpLimits } from './transport';
import { SipUa, type UaOptions } from './ua';

export interface EdgeOptions {
  sip: { host: string; port: number; transports?: Array<'udp' | 'tcp'>; tcp?: Partial<TcpLimits> };
  control: { host: string; port: number; secret: string };
  timers?: { t1Ms?: number; t2Ms?: number; t4Ms?: number; timerCMs?: number };
  log?: (line: string) => void;
  /** refusals by the SIP over TCP limits (rate-limited to one line a second) */
  warn?: (line: string) => void;
  /** overload control: see UaOptions.admit */
  admit?: UaOptions['admit'];
}

export interface EdgeStats {
  transactions: number;
  serverTransactions: number;
  clientTransactions: number;
  dialogs: number;
  apps: number;
  /** Control-protocol transaction ids still mapped to an app. */
  appTransactions: number;
  tcpConnections: number;
  /** bytes held for unfinished messages on TCP connections */
  tcpBuffered: number;
  /** TCP connections refused or closed by the limits (Transport.tcpDrops has them by reason) */
  tcpRefused: number;
  received: number;
  sent: number;
  badRequests: number;
  dropped: number;
  /** new requests refused by the admission check (overload), answered statelessly */
  overloaded: number;
  /** the same by what each refusal was counted under (the overload verdict's reason) */
  overloadedBy: Record<string, number>;
  /** requests handed to the app that it has not answered yet, less appWaiting */
  appPending: number;
  /** of those, the ones waiting on a request the app sent for them (D-345) */
  appWaiting: number;
  /** MESSAGEs handed to the PF over the MESSAGE link (D-341) since the start */
  linkedMessages: number;
}

export interface Edge {
  sipAddress: { host: string; port: number };
  controlAddress: { host: string; port: number };
  stats(): EdgeStats;
  /** observes every SIP message the edge receives or sends, as bytes (metrics, HEP, capture) */
  tap(observer: WireTap): void;
  /** An app's end of a control link inside this thread (D-297): srf reads and writes it as its socket to the edge. */
  link(): net.Socket;
  /** Takes the edge's end of a control link whose app is on another thread (D-297). */
  acceptLink(port: MessagePort): void;
  /** The PF's end of a MESSAGE link inside this thread (D-341); once. */
  messageLink(): MessagePort;
  /** Takes the edge's end of a MESSAGE link whose PF is on another thread (D-341); once. */
  acceptMessageLink(port: MessagePort): void;
  close(): Promise<void>;
  /** The SIP core underneath (for tests and tooling). */
  readonly ua: SipUa;
}

export async function startEdge(opts: EdgeOptions): Promise<Edge> {
  const transports: Proto[] = opts.sip.transports?.length ? [...opts.sip.transports] : ['udp', 'tcp'];
  const transport = new Transport({ host: opts.sip.host, port: opts.sip.port, transports, log: opts.log, warn: opts.warn, tcp: opts.sip.tcp });
  await transport.listen();
  const ua = new SipUa({
    transport,
    log: opts.log,
    admit: opts.admit,
    timers: {
      ...(opts.timers?.t1Ms ? { t1: opts.timers.t1Ms } : {}),
      ...(opts.timers?.t2Ms ? { t2: opts.timers.t2Ms } : {}),
      ...(opts.timers?.t4Ms ? { t4: opts.timers.t4Ms } : {}),
      ...(opts.timers?.timerCMs ? { timerC: opts.timers.timerCMs } : {}),
    },
  });
  const control = new ControlServer(ua, { ...opts.control, log: opts.log });
  try {
    await control.listen();
  } catch (e) {
    await transport.close();
    throw e;
  }
  let closed = false;
  let messages: MessageLinkEdge | undefined;
  // a MESSAGE outside a dialog goes over the MESSAGE link once there is one, the rest to srf
  const acceptMessageLink = (port: MessagePort) => {
    if (messages) throw new Error('the edge has a MESSAGE link already');
    const link = new MessageLinkEdge(ua, port, opts.warn ?? opts.log);
    messages = link;
    const toControl = ua.handlers.request;
    ua.handlers.request = (req) => (takesRequest(req) ? link.deliver(req) : toControl?.(req));
  };
  return {
    ua,
    sipAddress: { ...transport.address },
    controlAddress: { ...control.address },
    stats(): EdgeStats {
      const u = ua.stats();
      const c = control.stats();
      return { ...u, ...c, appTransactions: c.appTransactions + (messages?.size ?? 0), linkedMessages: messages?.delivered ?? 0, tcpConnections: transport.connectionCount(), tcpBuffered: transport.bufferedBytes(), tcpRefused: Object.values(transport.tcpDrops).reduce((a, b) => a + b, 0), ...ua.counters, overloadedBy: { ...ua.overloadedBy }, appPending: ua.appPending, appWaiting: ua.appWaiting };
    },
    tap: (observer) => transport.addTap(observer),
    link(): net.Socket {
      const { port1, port2 } = new MessageChannel();
      control.acceptLink(new LinkSocket(port2));
      return new LinkSocket(port1);
    },
    acceptLink: (port) => control.acceptLink(new LinkSocket(port)),
    messageLink(): MessagePort {
      const { port1, port2 } = new MessageChannel();
      acceptMessageLink(port2);
      return port1;
    },
    acceptMessageLink,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      ua.shutdown();
      messages?.close();
      await Promise.all([control.close(), transport.close()]);
    },
  };
}

export { SipUa } from './ua';
export { Transport, DEFAULT_TCP_LIMITS, type TcpLimits } from './transport';
export { SipMessage, parseSipMessage } from './sip/message';
