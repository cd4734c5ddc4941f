// Who is who on the network side: which peers are the Controlling Function, remote PFs and IWFs,
// and where the PF sends the requests its own clients originate. Peers live in the Peer table;
// PF_TOPOLOGY_FILE (JSON, format in DECISIONS.md D-101) seeds it at start.
import { readFileSync } from 'node:fs';
import type { Db } from '../store/database';
import { listPeersOldestFirst, upsertTopologyPeers } from '../store/peers';
import { aorOf, parseNameAddr } from './addresses';
import type { Registrar } from './registrar';

export type PeerRole = 'CF' | 'REMOTE_PF' | 'IWF';

export interface TopologyPeer {
  role: PeerRole;
  name: string;
  /** `host:port` (matched against the packet source) or a SIP URI (matched by host[:port]) */
  address: string;
  /** IWF only (AMB-3): the side the IWF acts for; REMOTE unless configured */
  iwfSide?: 'REMOTE' | 'SERVED';
}

export interface OriginatingRoute {
  /** regular expression matched against the Request-URI of a client's originating request */
  match: string;
  /** name of the peer the request goes to */
  peer: string;
}

export interface TopologyFile {
  peers: TopologyPeer[];
  /** first match wins; requests matching none go to `defaultPeer` */
  routes?: OriginatingRoute[];
  defaultPeer?: string;
}

export type SourceClass =
  | { kind: 'CLIENT'; aor: string }
  | { kind: 'PEER'; peer: TopologyPeer }
  | { kind: 'UNKNOWN' };

export type TrustMode = 'open' | 'peers';

const ROLES = new Set<PeerRole>(['CF', 'REMOTE_PF', 'IWF']);

export function parseTopologyFile(text: string, origin = 'topology'): TopologyFile {
  const raw = JSON.parse(text) as Partial<TopologyFile>;
  if (!Array.isArray(raw.peers)) throw new Error(`${origin}: "peers" must be an array`);
  for (const p of raw.peers) {
    if (!ROLES.has(p.role)) throw new Error(`${origin}: peer "${p.name}" has role "${p.role}"; use CF, REMOTE_PF or IWF`);
    if (typeof p.name !== 'string' || typeof p.address !== 'string' || !p.address) throw new Error(`${origin}: every peer needs a name and an address`);
  }
  for (const r of raw.routes ?? []) new RegExp(r.match, 'i');
  return { peers: raw.peers, routes: raw.routes ?? [], defaultPeer: raw.defaultPeer };
}

/** host:port of a SIP URI (port 5060 when absent), lower-cased; undefined for other schemes. */
export function hostPortOf(uri: string): string | undefined {
  const m = /^sips?:(?:[^@;?>]*@)?(\[[^\]]+\]|[^:;?>]+)(?::(\d+))?/i.exec(uri.trim().replace(/^<|>$/g, ''));
  return m ? `${m[1].toLowerCase()}:${m[2] ?? '5060'}` : undefined;
}

function normalAddress(address: string): string {
  const a = address.trim();
  if (/^sips?:/i.test(a)) return hostPortOf(a) ?? a.toLowerCase();
  return /:\d+$/.test(a) ? a.toLowerCase() : `${a.toLowerCase()}:5060`;
}

export class Topology {
  private peers: TopologyPeer[] = [];
  private routes: OriginatingRoute[] = [];
  private defaultPeer?: string;
  /** iwfSide is not a Peer column: it comes from the file only */
  private readonly sides = new Map<string, 'REMOTE' | 'SERVED'>();

  constructor(
    private readonly registrar: Registrar,
    public trust: TrustMode = 'peers',
  ) {}

  /** Seeds the Peer table from the file (idempotent) and loads every peer. */
  async load(db: Db, file?: TopologyFile): Promise<void> {
    await upsertTopologyPeers(db, file?.peers ?? []);
    for (const p of file?.peers ?? []) if (p.iwfSide) this.sides.set(`${p.role}|${p.address}`, p.iwfSide);
    this.configure(await this.rows(db), file);
  }

  /** Re-reads the Peer table: the console adds and removes peers while the PF runs. */
  async reload(db: Db): Promise<void> {
    this.configure(await this.rows(db));
  }

  private async rows(db: Db): Promise<TopologyPeer[]> {
    const rows = await listPeersOldestFirst(db);
    return rows.map((r) => ({ role: r.role as PeerRole, name: r.name, address: r.address, iwfSide: this.sides.get(`${r.role}|${r.address}`) }));
  }

  /** The peers as stored, and the file's originating routes (kept when `file` is absent). */
  configure(peers: TopologyPeer[], file?: Pick<TopologyFile, 'routes' | 'defaultPeer'>): void {
    this.peers = peers;
    this.routes = file?.routes ?? this.routes;
    this.defaultPeer = file?.defaultPeer ?? this.defaultPeer;
  }

  /** The seed file named by PF_TOPOLOGY_FILE, parsed (a readable error names the file and the field). */
  static readFile(path: string): TopologyFile {
    return parseTopologyFile(readFileSync(path, 'utf8'), path);
  }

  list(): TopologyPeer[] {
    return [...this.peers];
  }

  byName(name: string): TopologyPeer | undefined {
    return this.peers.find((p) => p.name === name);
  }

  /** The peer a packet source (host:port) or a URI (Contact, Request-URI) belongs to. */
  peerFor(source?: { host: string; port: number }, uris: string[] = []): TopologyPeer | undefined {
    const keys = new Set<string>();
    if (source) keys.add(`${source.host.toLowerCase()}:${source.port}`);
    for (const u of uris) {
      const hp = hostPortOf(parseNameAddr(u)?.uri ?? u);
      if (hp) keys.add(hp);
    }
    return this.peers.find((p) => keys.has(normalAddress(p.address)));
  }

  /**
   * Who sent a request: a registered client of a served user (From is that user and the source
   * or Contact is one of their bindings), a configured peer, or nobody the PF knows.
   */
  classifySource(input: { host: string; port: number; from?: string; contact?: string; now: number }): SourceClass {
    const peer = this.peerFor({ host: input.host, port: input.port }, input.contact ? [input.contact] : []);
    if (peer) return { kind: 'PEER', peer };
    const fromUri = input.from ? parseNameAddr(input.from)?.uri : undefined;
    const aor = fromUri ? aorOf(fromUri) : undefined;
    if (aor) {
      const src = `${input.host}:${input.port}`;
      const contactHp = input.contact ? hostPortOf(parseNameAddr(input.contact)?.uri ?? '') : undefined;
      for (const b of this.registrar.contacts(aor, input.now)) {
        if (b.source.endsWith(`/${src}`) || (contactHp !== undefined && hostPortOf(b.contact) === contactHp)) return { kind: 'CLIENT', aor };
      }
    }
    return { kind: 'UNKNOWN' };
  }

  /** PF_TRUST=peers: only clients and peers may talk to the PF (403 otherwise). */
  admits(c: SourceClass): boolean {
    return this.trust === 'open' || c.kind !== 'UNKNOWN';
  }

  /** Where an originating request of a served client goes. */
  routeFor(requestUri: string): TopologyPeer | undefined {
    const byUri = this.peerFor(undefined, [requestUri]);
    if (byUri) return byUri;
    for (const r of this.routes) if (new RegExp(r.match, 'i').test(requestUri)) return this.byName(r.peer);
    return this.defaultPeer ? this.byName(this.defaultPeer) : undefined;
  }

  /** The SIP URI requests to a peer are sent to (its address as a URI). */
  static targetOf(peer: TopologyPeer): string {
    return /^sips?:/i.test(peer.address) ? peer.address : `sip:${peer.address}`;
  }
}
