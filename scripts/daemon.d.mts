// Types for scripts/daemon.mjs (plain JS so that it runs without a build step).
export interface Daemon {
  name: string;
  pid: number;
  output(): string;
  /** the ready line's match */
  match: RegExpExecArray;
  exited: Promise<void>;
  alive(): boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}
export function freePort(): Promise<number>;
export function startDaemon(o: { name: string; cmd: string; args: string[]; cwd?: string; env?: Record<string, string>; ready: RegExp; timeoutMs?: number; onLine?: (line: string) => void }): Promise<Daemon>;
export function startRedis(o?: { port?: number }): Promise<Daemon & { port: number; url: string }>;
