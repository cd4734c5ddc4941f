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

export interface SrfResponseOut {
  send(status: number, reason?: string, opts?: { headers?: Record<string, string>; body?: string }): void;
  send(status: number, opts?: { headers?: Record<string, string>; body?: string }): void;
  finished?: boolean;
}

export type Handler = (req: SrfRequest, res: SrfResponseOut) => void;

export interface SrfApp {
  connect(opts: { host: string; port: number; secret: string }): void;
  disconnect(): void;
  on(event: 'connect', fn: (err: Error | null, hostport: string) => void): void;
  on(event: 'error' | 'close' | 'reconnecting', fn: (err?: Error) => void): void;
  options(fn: Handler): void;
  register(fn: Handler): void;
  message(fn: Handler): void;
  invite(fn: Handler): void;
  subscribe(fn: Handler): void;
  request(
    uri: string,
    opts: { method: string; headers?: Record<string, string>; body?: string; proxy?: string },
    cb: (err: Error | null, req: SrfRequest) => void,
  ): void;
}
