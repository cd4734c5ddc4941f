// Network peers of the PF (Controlling Functions, remote PFs, IWFs): validated edits, audited.
import type { Db } from '../../store/database';
import { badRequest, notFound } from '../http-error';
import { asObject, oneOf, str } from '../validate';
import { writeAudit } from './audit';

export const PEER_ROLES = ['CF', 'REMOTE_PF', 'IWF'] as const;
export type PeerRole = (typeof PEER_ROLES)[number];

export interface PeerView {
  id: string;
  role: PeerRole;
  name: string;
  address: string;
  createdAt: string;
}

export interface PeerInput {
  role: PeerRole;
  name: string;
  address: string;
}

// host:port (name or IPv4), [IPv6]:port, or a sip:/sips: URI
const ADDRESS = /^(?:sips?:[^\s]+|(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5})$/;

export function parsePeerInput(body: unknown): PeerInput {
  const o = asObject(body);
  const role = oneOf(o, 'role', PEER_ROLES);
  const name = str(o, 'name', { max: 80 });
  const address = str(o, 'address', { max: 200, pattern: ADDRESS, hint: 'must be host:port or a sip: URI' });
  const port = /:(\d{1,5})$/.exec(address);
  if (!address.startsWith('sip') && port && (Number(port[1]) < 1 || Number(port[1]) > 65535)) {
    throw badRequest(`address port must be from 1 to 65535: "${address}"`);
  }
  return { role, name, address };
}

function view(p: { id: string; role: string; name: string; address: string; createdAt: Date }): PeerView {
  return { id: p.id, role: p.role as PeerRole, name: p.name, address: p.address, createdAt: p.createdAt.toISOString() };
}

export async function listPeers(db: Db): Promise<PeerView[]> {
  const rows = await db.peer.findMany({ orderBy: [{ role: 'asc' }, { name: 'asc' }] });
  return rows.map(view);
}

async function assertUnique(db: Pick<Db, 'peer'>, input: PeerInput, exceptId?: string): Promise<void> {
  const clash = await db.peer.findFirst({ where: { role: input.role, address: input.address, ...(exceptId ? { id: { not: exceptId } } : {}) } });
  if (clash) throw badRequest(`a ${input.role} peer at ${input.address} exists already ("${clash.name}")`);
}

export async function createPeer(db: Db, input: PeerInput, actor: string): Promise<PeerView> {
  return db.$transaction(async (tx) => {
    await assertUnique(tx, input);
    const row = await tx.peer.create({ data: input });
    await writeAudit(tx, { actor, action: 'peer.create', target: `peer:${row.id}`, before: null, after: input });
    return view(row);
  });
}

export async function updatePeer(db: Db, id: string, input: PeerInput, actor: string): Promise<PeerView> {
  return db.$transaction(async (tx) => {
    const before = await tx.peer.findUnique({ where: { id } });
    if (!before) throw notFound(`no peer ${id}`);
    await assertUnique(tx, input, id);
    const row = await tx.peer.update({ where: { id }, data: input });
    await writeAudit(tx, { actor, action: 'peer.update', target: `peer:${id}`, before: { role: before.role, name: before.name, address: before.address }, after: input });
    return view(row);
  });
}

export async function deletePeer(db: Db, id: string, actor: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const before = await tx.peer.findUnique({ where: { id } });
    if (!before) throw notFound(`no peer ${id}`);
    await tx.peer.delete({ where: { id } });
    await writeAudit(tx, { actor, action: 'peer.delete', target: `peer:${id}`, before: { role: before.role, name: before.name, address: before.address }, after: null });
  });
}
