// The runner's view of the PF through its operator console, as an operator would have it: the
// live decision stream over socket.io, and the JSON API for the message store, preference rules
// and network peers. Works the same against `npm start` and against an embedded PF.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, DecisionRecord, ServerToClientEvents } from '../live/events';

export interface StoredObjectRow {
  id: string;
  kind: string;
  imdnMessageId: string | null;
  flags: string[];
  body: string;
}

export interface DeferredRow {
  id: string;
  kind: string;
  messageId: string | null;
  deliveredAt: string | null;
  body: string;
}

export interface PrefsRule {
  allowOfflineStorage?: boolean;
  allowStore?: boolean;
  allowDefer?: boolean;
}

export class PfConsole {
  readonly decisions: DecisionRecord[] = [];
  private socket?: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly listeners = new Set<(d: DecisionRecord) => void>();
  private readonly cleanups: Array<() => Promise<void>> = [];

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 5000,
    /** an operator session, sent as the Cookie header with the same-origin Origin the console checks */
    private readonly cookie?: string,
  ) {}

  private authHeaders(): Record<string, string> {
    return this.cookie ? { cookie: this.cookie, origin: new URL(this.baseUrl).origin } : {};
  }

  onDecision(fn: (d: DecisionRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Joins the live decision stream; only decisions made from now on are collected. */
  async watchDecisions(): Promise<void> {
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(this.baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: true,
      timeout: this.timeoutMs,
      extraHeaders: this.authHeaders(),
    });
    this.socket = s;
    const seen = new Set<number>();
    s.on('decision:made', (d) => {
      if (seen.has(d.seq)) return;
      seen.add(d.seq);
      this.decisions.push(d);
      for (const fn of this.listeners) fn(d);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no decision stream from ${this.baseUrl} within ${this.timeoutMs} ms`)), this.timeoutMs);
      // Resuming after the largest seq joins the live room with nothing to replay.
      s.once('decisions:replayed', () => {
        clearTimeout(timer);
        resolve();
      });
      s.on('connect', () => s.emit('decisions:resume', { afterSeq: Number.MAX_SAFE_INTEGER }));
      s.on('connect_error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot reach the console at ${this.baseUrl}: ${err.message}`));
      });
    });
  }

  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-operator': 'demo-runner', ...this.authHeaders() },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async storeOf(aor: string): Promise<{ objects: StoredObjectRow[]; deferred: DeferredRow[] }> {
    const r = await this.api<{ folders: Array<{ objects: StoredObjectRow[] }>; deferred: DeferredRow[] }>('GET', `/api/store/${encodeURIComponent(aor)}`);
    return { objects: r.folders.flatMap((f) => f.objects), deferred: r.deferred };
  }

  /** A CPM preference rule for the user, removed again when the run ends. */
  async setPrefs(aor: string, prefs: PrefsRule): Promise<void> {
    const ruleId = `demo-${Date.now().toString(36)}`;
    await this.api('PUT', `/api/users/${encodeURIComponent(aor)}/rules`, { ruleId, serviceEnablers: ['CPM'], ...prefs });
    this.cleanups.push(async () => {
      await this.api('DELETE', `/api/users/${encodeURIComponent(aor)}/rules/${ruleId}`);
    });
  }

  /**
   * Service-provider policy values for the length of the run (provider-wide: every session on the
   * PF meets them meanwhile); the operator's own overrides are put back when the run ends. Both
   * edits are audited.
   */
  async setProviderPolicy(values: Record<string, unknown>): Promise<void> {
    const before = await this.api<{ overrides: Record<string, unknown> }>('GET', '/api/provider-policy');
    await this.api('PUT', '/api/provider-policy', { ...before.overrides, ...values });
    this.cleanups.push(async () => {
      await this.api('PUT', '/api/provider-policy', before.overrides);
    });
  }

  /** A network peer in the PF's topology, removed again when the run ends. */
  async addPeer(role: 'CF' | 'REMOTE_PF' | 'IWF', name: string, address: string): Promise<void> {
    const r = await this.api<{ peer: { id: string } }>('POST', '/api/peers', { role, name, address });
    this.cleanups.push(async () => {
      await this.api('DELETE', `/api/peers/${r.peer.id}`);
    });
  }

  async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const c of this.cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    this.cleanups.length = 0;
    this.socket?.disconnect();
    return problems;
  }
}
