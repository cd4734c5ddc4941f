// Structured logs: one JSON object per line on stderr (pino), with the time, the level, the
// scope ("pf", "sip", "security" …) and the message. A line written while a SIP request is being
// handled also carries that request's Call-ID and served user (`callId`, `user`): the request's
// entry point binds them for everything it calls, however deep (withLogContext, D-224).
// `logger(scope)` and its four methods are the API the rest of the server uses.
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: Level = 'info';

/** What ties a log line to a SIP transaction. */
export interface LogContext {
  callId?: string;
  /** the served user's address of record */
  user?: string;
}

const context = new AsyncLocalStorage<LogContext>();

// Synchronous writes: a line logged just before process.exit() is not lost, and lines keep
// their order with the rest of stderr.
const root = pino(
  {
    level: 'debug',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => ({ ...context.getStore() }),
    // a child logger's own fields win over the request context's (one key each on the line)
    mixinMergeStrategy: (fields, mixed) => Object.assign(mixed, fields),
  },
  pino.destination({ fd: 2, sync: true }),
);

export function setLogLevel(level: Level): void {
  threshold = level;
}

/** Whether debug lines are written: callers check it before building a line per event on a hot path. */
export function logsDebug(): boolean {
  return ORDER.debug >= ORDER[threshold];
}

/** Runs `fn` with every log line it causes (also later, in its promises and callbacks) tied to `ctx`. */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return context.run({ ...ctx }, fn);
}

/** Names the served user of the transaction being handled, once a handler knows who it is. */
export function bindLogUser(user: string): void {
  const store = context.getStore();
  if (store) store.user = user;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** the same scope with fixed fields on every line (e.g. a Call-ID outside a request's context) */
  child(bindings: LogContext & Record<string, string | number | undefined>): Logger;
}

type Fields = Record<string, string | number | undefined>;

function wrap(p: pino.Logger, fields: Fields | undefined): Logger {
  // the threshold is read per line: module-level loggers exist before the configuration is read
  const at = (level: Level) => (msg: string) => {
    if (ORDER[level] < ORDER[threshold]) return;
    if (fields) p[level]({ ...fields }, msg);
    else p[level](msg);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => wrap(p, { ...fields, ...b }) };
}

export function logger(scope: string): Logger {
  return wrap(root.child({ scope }), undefined);
}
