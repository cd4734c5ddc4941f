// The slice of drachtio-srf this app uses, typed by hand: srf's bundled typings lack
// srf.message/register and have the wrong request() signature (see ENVIRONMENT.md).

export interface SrfMessage {
  method: string;
  uri: string;
  headers: Record<string, string>;
  body: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface SrfRequest extends SrfMessage {
  msg: { raw?: string; toString(): string };
  source_address: string;
  source_port: number;
  protocol: string;
  callId?: string;
  on(event: 'response', fn: (res: SrfResponseIn) => void): void;
  on(event: 'cancel', fn: () => void): void;
}

export interface SrfResponseIn {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body?: string;
  get(name: string): string | undefined;
  msg: { raw?: string };
}

type SentCallback = (err: Error | null, msg?: unknown) => void;

export interface SrfResponseOut {
  send(status: number, reason?: string, opts?: { headers?: Record<string, string>; body?: string }, cb?: SentCallback): void;
  send(status: number, opts?: { headers?: Record<string, string>; body?: string }, cb?: SentCallback): void;
  finished?: boolean;
  /** after a 2xx that created a dialog: drachtio's dialog id (`<Call-ID>;from-tag=<tag>`) */
  stackDialogId?: string;
}

export type Handler = (req: SrfRequest, res: SrfResponseOut, next: () => void) => void;

/** What a request sent outside a dialog gives back: its responses as they come. */
export interface SentRequest {
  on(event: 'response', fn: (res: SrfResponseIn) => void): void;
}

/** The one call that sends a request outside a dialog: srf's, or the MESSAGE link's (D-341). */
export interface RequestSender {
  request(uri: string, opts: { method: string; headers?: Record<string, string>; body?: string; proxy?: string }, cb: (err: Error | null, req: SentRequest) => void): void;
}

export interface SrfApp {
  connect(opts: { host: string; port: number; secret: string; tags?: string[] }): void;
  disconnect(): void;
  on(event: 'connect', fn: (err: Error | null, hostport: string) => void): void;
  on(event: 'error' | 'close' | 'reconnecting', fn: (err?: Error) => void): void;
  use(fn: Handler): void;
  options(fn: Handler): void;
  register(fn: Handler): void;
  message(fn: Handler): void;
  invite(fn: Handler): void;
  subscribe(fn: Handler): void;
  request(
    uri: string,
    opts: { method: string; headers?: Record<string, string>; body?: string; proxy?: string; stackDialogId?: string },
    cb: (err: Error | null, req: SrfRequest) => void,
  ): void;
}
