// A demo flow: a short story told in real SIP, with what the PF must decide (spec branch ids, in
// order) and what the peers and the store must show. `run` drives the peers and records checks;
// the runner compares the PF's decisions with `decisions`.
import { randomBytes } from 'node:crypto';
import type { SipMessage } from '../edge/sip/message';
import type { Ladder } from './ladder';
import type { PfConsole } from './pf-console';
import { CpmClient, type DeviceOptions } from './peers/cpm-client';
import { NetworkPeer, type NetworkRole } from './peers/network-peer';
import type { PeerEnv, SipPeer } from './peers/sip-peer';

export interface ExpectedDecision {
  /** the branch id, or several when any of them is right (IMDN-RX-3 on an empty cache, 2b otherwise) */
  branch: string | string[];
  /** when given, the decision's outcome word must be this one */
  outcome?: string;
}

export interface Flow {
  id: string;
  title: string;
  /** the story in two or three sentences, for the console and `--list` */
  story: string;
  /** spec branches the flow demonstrates */
  spec: string[];
  /** the PF support the flow relies on, so a failure points at what is missing */
  relies: string;
  /** the decisions the PF must make, in this order (others may come in between) */
  decisions: ExpectedDecision[];
  /** decisions that must not appear */
  forbidden?: ExpectedDecision[];
  run(ctx: FlowContext): Promise<void>;
}

export interface Check {
  label: string;
  ok: boolean;
  detail?: string;
}

export class FlowContext {
  readonly checks: Check[] = [];
  readonly tag = randomBytes(3).toString('hex');
  private readonly peers: SipPeer[] = [];
  private readonly devices: CpmClient[] = [];

  constructor(
    readonly env: PeerEnv,
    readonly console: PfConsole,
    readonly domain: string,
  ) {}

  get ladder(): Ladder {
    return this.env.ladder;
  }

  aor(user: string): string {
    return `sip:${user}@${this.domain}`;
  }

  /** An id unique to this run (message ids, group ids), so runs never meet in the PF's caches. */
  id(prefix: string): string {
    return `${prefix}-${this.tag}`;
  }

  step(text: string): void {
    this.env.ladder.step(text);
  }

  check(label: string, ok: boolean, detail?: string): void {
    this.checks.push({ label, ok, ...(ok || detail === undefined ? {} : { detail }) });
  }

  expectStatus(label: string, res: SipMessage, want: number | number[]): void {
    const wanted = Array.isArray(want) ? want : [want];
    this.check(`${label} → ${wanted.join(' or ')}`, wanted.includes(res.status), `got ${res.status} ${res.reason}`);
  }

  /** A device of a served user, started (and registered unless `register: false`). */
  async device(user: string, device: string, opts: Partial<DeviceOptions> & { register?: boolean } = {}): Promise<CpmClient> {
    const c = await CpmClient.device(this.env, { user, device, domain: this.domain, ...opts });
    this.peers.push(c);
    this.devices.push(c);
    if (opts.register !== false) await this.register(c);
    return c;
  }

  async register(c: CpmClient): Promise<void> {
    this.expectStatus(`${c.name} registers (${c.userAgent})`, await c.register(), 200);
  }

  /** A network peer, added to the PF's topology under its role for the length of the run. */
  async network(role: NetworkRole, name: string, opts: { inTopology?: boolean } = {}): Promise<NetworkPeer> {
    const p = await NetworkPeer.create(role, name, this.env);
    this.peers.push(p);
    if (opts.inTopology !== false) await this.console.addPeer(role, `${name} (demo ${this.tag})`, p.hostPort);
    return p;
  }

  wait(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  /** Unregisters the devices (so later runs do not fork to them) and closes every peer. */
  async close(): Promise<void> {
    const quiet = this.env.timeoutMs;
    this.env.timeoutMs = Math.min(quiet, 2000);
    await Promise.all(this.devices.map((d) => d.unregister().catch(() => undefined)));
    await Promise.all(this.peers.map((p) => p.close().catch(() => undefined)));
  }
}
