// Network peers of the PF (topology): which addresses are a Controlling Function, a remote PF or
// an Interworking Function. A peer is named by where its requests come from (host:port) or by a
// SIP URI. Every change is audited in its own transaction.
import { readFile } from 'node:fs/promises';
import { writeAudit } from './audit';
import type { Db } from './database';

export const PEER_ROLES = ['CF', 'REMOTE_PF', 'IWF'] as const;
export type PeerRole = (typeof PEER_ROLES)[number];

export interface PeerInput {
  role: PeerRole;
  name: string;
  /** host:port, or a sip:/sips: URI */
  address: string;
}

export interface PeerRecord extends PeerInput {
  id: string;
  createdAt: Date;
}

/** Checks and normalises a peer (lower-case host and scheme); throws with a sentence naming the field. */
export function normalisePeer(p: PeerInput): PeerInput {
  if (!PEER_ROLES.includes(p.role)) throw new Error(`role must be one of ${PEER_ROLES.join(', ')} (got ${JSON.stringify(p.role)})`);
  const name = typeof p.name === 'string' ? p.name.trim() : '';
  if (!name) throw new Error('name must be a non-empty text');
  return { role: p.role, name, address: normaliseAddress(p.address) };
}

export function normaliseAddress(address: string): string {
  const a = typeof address === 'string' ? address.trim() : '';
  const uri = /^(sips?):(?:([^@\s]+)@)?([^;?\s]+)(.*)$/i.exec(a);
  if (uri) return `${uri[1].toLowerCase()}:${uri[2] ? `${uri[2]}@` : ''}${uri[3].toLowerCase()}${uri[4]}`;
  const hp = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(a);
  if (hp && Number(hp[2]) >= 1 && Number(hp[2]) <= 65535) return `${hp[1].toLowerCase()}:${Number(hp[2])}`;
  throw new Error(`address must be host:port or a sip: URI (got ${JSON.stringify(address)})`);
}

/**
 * The peer a request comes from: by its source host:port, else by a URI naming it (the host part
 * of a URI peer matches with or without user part and parameters).
 */
export function matchPeer(peers: PeerInput[], from: { source?: string; uri?: string }): PeerInput | undefined {
  const source = from.source ? safe(() => normaliseAddress(from.source!)) : undefined;
  if (source) {
    const hit = peers.find((p) => p.address === source);
    if (hit) return hit;
  }
  const host = from.uri ? uriHost(from.uri) : undefined;
  return host ? peers.find((p) => p.address.startsWith('sip') && uriHost(p.address) === host) : undefined;
}

function uriHost(uri: string): string | undefined {
  const m = /^sips?:(?:[^@\s]+@)?([^;?>\s]+)/i.exec(uri.trim().replace(/^</, ''));
  return m?.[1].toLowerCase();
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

const record = (r: { id: string; role: string; name: string; address: string; createdAt: Date }): PeerRecord => ({
  id: r.id,
  role: r.role as PeerRole,
  name: r.name,
  address: r.address,
  createdAt: r.createdAt,
});
const shape = (p: PeerInput) => ({ role: p.role, name: p.name, address: p.address });

export async function listPeers(db: Db, role?: PeerRole): Promise<PeerRecord[]> {
  const rows = await db.peer.findMany({ where: role ? { role } : {}, orderBy: [{ role: 'asc' }, { name: 'asc' }] });
  return rows.map(record);
}

export async function getPeer(db: Db, id: string): Promise<PeerRecord | null> {
  const r = await db.peer.findUnique({ where: { id } });
  return r ? record(r) : null;
}

/** Throws when (role, address) is taken. */
export async function createPeer(db: Db, input: PeerInput, actor: string): Promise<PeerRecord> {
  const p = normalisePeer(input);
  return db.$transaction(async (tx) => {
    const taken = await tx.peer.findUnique({ where: { role_address: { role: p.role, address: p.address } } });
    if (taken) throw new Error(`a ${p.role} peer with address ${p.address} exists already (${taken.name})`);
    const r = await tx.peer.create({ data: p });
    await writeAudit(tx, { actor, action: 'peer.create', target: `peer:${r.id}`, before: null, after: shape(p) });
    return record(r);
  });
}

/** Returns null when there is no such peer. */
export async function updatePeer(db: Db, id: string, patch: Partial<PeerInput>, actor: string): Promise<PeerRecord | null> {
  return db.$transaction(async (tx) => {
    const old = await tx.peer.findUnique({ where: { id } });
    if (!old) return null;
    const p = normalisePeer({ role: (patch.role ?? old.role) as PeerRole, name: patch.name ?? old.name, address: patch.address ?? old.address });
    const clash = await tx.peer.findUnique({ where: { role_address: { role: p.role, address: p.address } } });
    if (clash && clash.id !== id) throw new Error(`a ${p.role} peer with address ${p.address} exists already (${clash.name})`);
    const r = await tx.peer.update({ where: { id }, data: p });
    await writeAudit(tx, { actor, action: 'peer.update', target: `peer:${id}`, before: shape(record(old)), after: shape(p) });
    return record(r);
  });
}

export async function deletePeer(db: Db, id: string, actor: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const old = await tx.peer.findUnique({ where: { id } });
    if (!old) return false;
    await tx.peer.delete({ where: { id } });
    await writeAudit(tx, { actor, action: 'peer.delete', target: `peer:${id}`, before: shape(record(old)), after: null });
    return true;
  });
}

export interface SeedResult {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Parses a seed document: `{"peers": [{"role": "CF", "name": "…", "address": "…"}, …]}` or the
 * bare array. Throws naming the entry at fault; nothing is written for an invalid document.
 */
export function parsePeerSeed(text: string): PeerInput[] {
  const doc = JSON.parse(text) as unknown;
  const list = Array.isArray(doc) ? doc : (doc as { peers?: unknown })?.peers;
  if (!Array.isArray(list)) throw new Error('a peer seed is a JSON array of peers or an object with a "peers" array');
  return list.map((e, i) => {
    try {
      return normalisePeer(e as PeerInput);
    } catch (err) {
      throw new Error(`peer seed entry ${i}: ${(err as Error).message}`);
    }
  });
}

/** Upserts every peer of the seed by (role, address), in one transaction; only changes are audited. */
export async function applyPeerSeed(db: Db, peers: PeerInput[], actor: string): Promise<SeedResult> {
  const result: SeedResult = { created: 0, updated: 0, unchanged: 0 };
  await db.$transaction(async (tx) => {
    for (const p of peers) {
      const old = await tx.peer.findUnique({ where: { role_address: { role: p.role, address: p.address } } });
      if (!old) {
        const r = await tx.peer.create({ data: p });
        await writeAudit(tx, { actor, action: 'peer.create', target: `peer:${r.id}`, before: null, after: shape(p) });
        result.created++;
      } else if (old.name !== p.name) {
        await tx.peer.update({ where: { id: old.id }, data: { name: p.name } });
        await writeAudit(tx, { actor, action: 'peer.update', target: `peer:${old.id}`, before: shape(record(old)), after: shape(p) });
        result.updated++;
      } else result.unchanged++;
    }
  });
  return result;
}

export async function loadPeerSeedFile(db: Db, file: string, actor = 'seed'): Promise<SeedResult> {
  return applyPeerSeed(db, parsePeerSeed(await readFile(file, 'utf8')), actor);
}

/**
 * The topology file's peers, written as they are (by role and address, the name updated): the
 * file is configuration, not an operator's edit, so nothing is audited and addresses are not
 * normalised.
 */
export async function upsertTopologyPeers(db: Db, peers: Array<{ role: PeerRole; name: string; address: string }>): Promise<void> {
  for (const p of peers) {
    await db.peer.upsert({
      where: { role_address: { role: p.role, address: p.address } },
      create: { role: p.role, name: p.name, address: p.address },
      update: { name: p.name },
    });
  }
}

/** Every peer, in the order they were added (the shell's routing tries them in this order). */
export async function listPeersOldestFirst(db: Db): Promise<PeerRecord[]> {
  const rows = await db.peer.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map(record);
}
