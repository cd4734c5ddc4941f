// Overload control and a next hop that does not answer (issue 17, D-345). A MESSAGE the PF
// forwarded to a registered contact that died waits for that contact up to 20 s (D-115); the PF's
// own work on it is done. Counted as pending (D-150 as first written), ten MESSAGEs a second to
// dead contacts took a PF with room for a thousand to 503 for everyone. Here the pending limit is
// small (5) and the requests waiting on the dead contact are more (8): a MESSAGE to a live user is
// still delivered. The waiting requests have a bound of their own (PF_OVERLOAD_MAX_WAITING, the
// memory they hold): past it, new requests get 503 with Retry-After. No timing is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/ports';
import { startPfProcess } from '../support/pf-process';
import { startEdge } from '../../server/edge';
import { wirePeer } from '../support/wire-peer';
import { udpUac, type UacAnswer } from './udp-uac';

const STUCK = 8;

/** a UDP socket that takes every datagram and answers none: a phone that died without unregistering */
async function deadContact(): Promise<{ port: number; messages: Set<string>; close(): Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const messages = new Set<string>();
  sock.on('message', (m) => {
    const text = m.toString('latin1');
    if (text.startsWith('MESSAGE ')) messages.add(/\r\n(?:Call-ID|i)\s*:\s*(\S+)/i.exec(text)?.[1] ?? '');
  });
  return { port, messages, close: () => new Promise((r) => sock.close(() => r())) };
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The PF on its embedded edge (`external` false), or behind a SIP edge of its own process speaking
 * drachtio's protocol, as a drachtio-server would (e2e/faults/edge-link.sip.test.ts does the same):
 * then the PF's trust middleware applies the overload verdict, on the requests it is handling.
 */
async function startPf(env: Record<string, string>, external: boolean): Promise<{ sipPort: number; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-next-hop-'));
  // no grace (D-348): the pending limit holds at once, so a stuck request counted as pending shows
  const base = { DATABASE_URL: `file:${path.join(dir, 'pf.db')}`, HTTP_PORT: '0', PF_OVERLOAD_MAX_PENDING: '5', PF_OVERLOAD_PENDING_GRACE_MS: '0', PF_OVERLOAD_MAX_LAG_MS: '0', PF_SIP_RATE: '0', ...env };
  if (!external) {
    const pf = await startPfProcess({ ...base, SIP_PORT: String(await freePort()) });
    return { sipPort: pf.sipPort, close: () => pf.kill('SIGKILL') };
  }
  const secret = 'next-hop';
  const edge = await startEdge({ sip: { host: '127.0.0.1', port: 0, transports: ['udp'] }, control: { host: '127.0.0.1', port: 0, secret } });
  const pf = await startPfProcess({ ...base, DRACHTIO_HOST: '127.0.0.1', DRACHTIO_PORT: String(edge.controlAddress.port), DRACHTIO_SECRET: secret, SIP_PORT: String(edge.sipAddress.port) });
  return {
    sipPort: edge.sipAddress.port,
    close: async () => {
      await pf.kill('SIGKILL');
      await edge.close();
    },
  };
}

async function withStuckMessages(env: Record<string, string>, external: boolean, fn: (o: { sipPort: number; uac: Awaited<ReturnType<typeof udpUac>> }) => Promise<void>): Promise<void> {
  const pf = await startPf(env, external);
  const dead = await deadContact();
  const carol = await wirePeer('carol');
  const alice = await wirePeer('alice'); // the seeded users are alice, bob and carol
  const uac = await udpUac();
  const stuck: Array<Promise<UacAnswer>> = [];
  try {
    assert.equal(await carol.register(pf.sipPort), 200);
    const reg = await alice.request(pf.sipPort, { method: 'REGISTER', uri: 'sip:example.com', to: 'sip:alice@example.com', headers: [`Contact: <sip:alice@127.0.0.1:${dead.port}>;expires=300`] });
    assert.equal(reg.status, 200);
    // one after the other, each admitted and forwarded before the next: the PF's own work on it is
    // done, it waits on the contact (a limit of 5 counting them refuses the sixth)
    for (let i = 0; i < STUCK; i++) {
      const answer = uac.message({ to: pf.sipPort, user: 'alice', text: `to a dead phone ${i}`, deadlineMs: 60_000 });
      stuck.push(answer);
      const early = answer.then((a) => { throw new Error(`MESSAGE ${i + 1} of ${STUCK} to the dead contact answered ${a.status} before it reached the contact`); });
      await Promise.race([until(`MESSAGE ${i + 1} at the dead contact`, () => dead.messages.size > i), early]);
    }
    await fn({ sipPort: pf.sipPort, uac });
  } finally {
    await uac.close();
    await Promise.all([dead.close(), carol.close(), alice.close()]);
    await pf.close();
  }
}

// the default edge (its own thread), the edge on the main thread, both over the MESSAGE link;
// and the PF behind an external edge (drachtio's protocol and srf), where it counts for itself
const modes: Array<{ name: string; env: Record<string, string>; external: boolean }> = [
  { name: 'edge thread on', env: { PF_EDGE_THREAD: 'on' }, external: false },
  { name: 'edge thread off', env: { PF_EDGE_THREAD: 'off' }, external: false },
  { name: 'external drachtio', env: {}, external: true },
];
for (const mode of modes) {
  test(`D-345 overload (${mode.name}): requests waiting on a dead next hop are not the PF's backlog; a MESSAGE to a live user is delivered`, async () => {
    await withStuckMessages(mode.env, mode.external, async ({ sipPort, uac }) => {
      const live = await uac.message({ to: sipPort, user: 'carol', text: 'to a live phone', deadlineMs: 10_000 });
      assert.equal(live.status, 200, `a MESSAGE to a registered live contact while ${STUCK} wait on a dead one (pending limit 5): ${live.status}${live.retryAfter ? `, Retry-After ${live.retryAfter}` : ''}`);
    });
  });

  test(`D-345 overload (${mode.name}): past PF_OVERLOAD_MAX_WAITING requests waiting on a next hop, new requests get 503 with Retry-After`, async () => {
    await withStuckMessages({ ...mode.env, PF_OVERLOAD_MAX_WAITING: String(STUCK) }, mode.external, async ({ sipPort, uac }) => {
      const refused = await uac.message({ to: sipPort, user: 'carol', text: 'to a live phone', deadlineMs: 10_000 });
      assert.deepEqual([refused.status, refused.retryAfter], [503, '1'], 'the waiting requests hold memory: their bound is kept');
    });
  });
}
