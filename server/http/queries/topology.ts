// Network peers of the PF (Controlling Functions, remote PFs, IWFs): input checked here for the
// form, stored and audited by the store (server/store/peers.ts).
import type { Db } from '../../store/database';
import { createPeer as storeCreate, deletePeer as storeDelete, listPeers as storeList, PEER_ROLES, updatePeer as storeUpdate, type PeerInput, type PeerRecord } from '../../store/peers';
import { badRequest, notFound } from '../http-error';
import { asObject, oneOf, str } from '../validate';

export { PEER_ROLES };

export interface PeerView extends PeerInput {
  id: string;
  createdAt: string;
}

export function parsePeerInput(body: unknown): PeerInput {
  const o = asObject(body);
  return { role: oneOf(o, 'role', PEER_ROLES), name: str(o, 'name', { max: 80 }), address: str(o, 'address', { max: 200 }) };
}

const view = (p: PeerRecord): PeerView => ({ ...p, createdAt: p.createdAt.toISOString() });

// The store throws sentences (bad address, taken address): they are the client's 400s.
async function asClientError<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

export async function listPeers(db: Db): Promise<PeerView[]> {
  return (await storeList(db)).map(view);
}

export async function createPeer(db: Db, input: PeerInput, actor: string): Promise<PeerView> {
  return view(await asClientError(() => storeCreate(db, input, actor)));
}

export async function updatePeer(db: Db, id: string, input: PeerInput, actor: string): Promise<PeerView> {
  const p = await asClientError(() => storeUpdate(db, id, input, actor));
  if (!p) throw notFound(`no peer ${id}`);
  return view(p);
}

export async function deletePeer(db: Db, id: string, actor: string): Promise<void> {
  if (!(await storeDelete(db, id, actor))) throw notFound(`no peer ${id}`);
}
