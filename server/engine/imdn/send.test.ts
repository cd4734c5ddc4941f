import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sendImdn, type ImdnCarrier } from './send';
import { ImdnCache } from './cache';
import { ALICE, cpimImdn } from './fixtures';
import { withPolicy, type PolicyOverrides } from '../policy';
import type { Effect } from '../effects';
import type { DispositionType, MessageIndexEntry } from '../model';
import type { SipMessageView } from '../message';
import { CPM_ICSI } from '../parse/feature-tags';
import { deliverStandalone, receivedEntryAfterDelivery, standaloneForkOutcome } from '../pager/standalone';

const NOW = 1_700_000_000_000;
const BOB = 'sip:+15551230002@ims.beta.example';
const A_KEY = 'sip:+15551230001@ims.alpha.example';

/**
 * The MessageIndex entry the product keeps for m1 after a real standalone delivery to `devices`
 * clients (deliverStandalone + one 2xx per fork + receivedEntryAfterDelivery): the endpoint count
 * IMDN-TX-2 reads is the one the pager procedure produces, never typed in by hand.
 */
function deliveredTo(devices: number, storeRef?: string): MessageIndexEntry | undefined {
  const regs = Array.from({ length: devices }, (_, i) => ({ contact: `sip:b${i + 1}@192.0.2.${i + 1}`, icsis: [CPM_ICSI.msg], imdnAggregation: false }));
  const message: SipMessageView = {
    method: 'MESSAGE',
    uri: BOB,
    headers: { 'content-type': ['message/cpim'], 'call-id': ['m1-call'] },
    body: `From: <${ALICE}>\r\nTo: <${BOB}>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: m1\r\n\r\nContent-Type: text/plain\r\n\r\nhi`,
  };
  const prefs = { allowDefer: true, allowOfflineStorage: false, allowStore: false, hasCpmOfflineStorageRule: false, source: 'XDMS' as const };
  let d = deliverStandalone({ deliveryId: 'p', servedUser: BOB, txn: 't', message, registrations: regs, prefs, skip: [], policy: withPolicy() }).delivery;
  let entry: MessageIndexEntry | undefined;
  for (const f of d.forks) {
    const r = standaloneForkOutcome({ delivery: d, forkId: f.id, code: 200, prefs, skip: [] });
    d = r.delivery;
    if (r.deliveredTo) entry = receivedEntryAfterDelivery(entry, r.firstDelivery ? storeRef : undefined);
  }
  return entry;
}

function world(opts: { devices?: number; kind?: MessageIndexEntry['kind']; storeRef?: string; iscServed?: boolean; policy?: PolicyOverrides } = {}) {
  const cache = new ImdnCache({ name: 'TX', ttlSec: 604800 });
  const policy = withPolicy(opts.policy);
  const delivered = deliveredTo(opts.devices ?? 1, opts.storeRef);
  // a chat message (TX-2-isc, TX-3) keeps the count the delivery produced and names its session
  const entry = delivered && opts.kind && opts.kind !== 'STANDALONE' ? { ...delivered, kind: opts.kind, sessionId: 'S' } : delivered;
  const send = (carrier: ImdnCarrier) => {
    const r = sendImdn({
      servedUser: BOB,
      carrier,
      cache,
      messageIndex: (id) => (id === 'm1' ? entry : undefined),
      session: (id) => (id === 'S' ? { isComposingSentByServedClients: opts.iscServed ?? false } : undefined),
      policy,
      now: NOW,
    });
    for (const e of r.effects) cache.apply(e, NOW);
    return r;
  };
  return { cache, send, entry };
}

function sip(type: DispositionType, status: string, opts: { txn?: string; route?: string; uri?: string; from?: string } = {}): ImdnCarrier {
  const body = cpimImdn({ from: opts.from ?? `<${BOB}>`, to: `<${ALICE}>`, messageId: 'm1', type, status });
  const withRoute = opts.route ? body.replace('NS: imdn <urn:ietf:params:imdn>', `NS: imdn <urn:ietf:params:imdn>\r\nimdn.IMDN-Route: ${opts.route}`) : body;
  return {
    kind: 'SIP',
    txn: opts.txn ?? 'tb1',
    message: { method: 'MESSAGE', uri: opts.uri ?? ALICE, headers: { 'content-type': ['message/cpim'], 'call-id': ['x'] }, body: withRoute },
  };
}

function msrp(type: DispositionType, status: string, chunk = 'ch1'): ImdnCarrier {
  return { kind: 'MSRP', chunk, contentType: 'message/cpim', body: cpimImdn({ from: `<${BOB}>`, to: `<${ALICE}>`, messageId: 'm1', type, status }), peerLeg: 'rpf', sessionId: 'S' };
}

const fwd = (e: Effect[]) => e.some((x) => x.kind === 'FWD_REQ' || x.kind === 'MSRP_RELAY');
const dropped = (e: Effect[]) => e.some((x) => x.kind === 'DROP');

test('TX-0-msrp-fwd: MSRP delivery IMDN from b1 (single endpoint) is relayed to the peer leg, no cache', () => {
  const { send, cache } = world({});
  const r = send(msrp('delivery', 'delivered'));
  assert.deepEqual(r.effects, [{ kind: 'MSRP_RELAY', toLeg: 'rpf' }]);
  assert.equal(cache.size, 0);
  assert.ok(r.decisions.some((d) => d.branch === 'IMDN-TX-0'));
});

test('TX-0-msrp-dup: forked session, b2 repeats the delivery IMDN in MSRP → MSRP 200, not relayed', () => {
  const { send } = world({ devices: 2 });
  assert.ok(fwd(send(msrp('delivery', 'delivered', 'c1')).effects));
  const r = send(msrp('delivery', 'delivered', 'c2'));
  assert.equal(fwd(r.effects), false);
  assert.deepEqual(r.effects.filter((e) => e.kind === 'MSRP_RESP'), [{ kind: 'MSRP_RESP', chunk: 'c2', code: 200 }]);
});

test('TX-0-msrp-seen: display displayed in MSRP sets \\Seen on O and is relayed', () => {
  const r = world({ storeRef: 'O' }).send(msrp('display', 'displayed'));
  assert.ok(r.effects.some((e) => e.kind === 'SET_FLAG' && e.objectRef === 'O'));
  assert.ok(fwd(r.effects));
});

test('TX-0-msrp-nostore: recording on → no RECORD_OBJECT of an MSRP IMDN', () => {
  const r = world({ policy: { recordingEnabled: true } }).send(msrp('delivery', 'delivered'));
  assert.equal(r.effects.some((e) => e.kind === 'RECORD_OBJECT'), false);
  assert.ok(r.decisions.some((d) => d.branch === 'IMDN-TX-4'));
});

test('TX-1: b1 delivery IMDN (single endpoint) is forwarded via the core, Request-URI untouched, no cache', () => {
  const { send, cache } = world({});
  const r = send(sip('delivery', 'delivered'));
  assert.deepEqual(r.effects, [{ kind: 'FWD_REQ', toLeg: 'core' }]);
  assert.equal(cache.size, 0);
  assert.equal(r.decisions.find((d) => d.branch === 'IMDN-TX-1')?.inputs.requestUri, ALICE);
});

test('TX-1-route: IMDN-Route Request-URI is kept as sent by b1', () => {
  const r = world({}).send(sip('delivery', 'delivered', { route: '<sip:imdn@cpm-pf.alpha.example>', uri: 'sip:imdn@cpm-pf.alpha.example' }));
  assert.ok(fwd(r.effects));
  assert.equal(r.decisions.find((d) => d.branch === 'IMDN-TX-1')?.inputs.requestUri, 'sip:imdn@cpm-pf.alpha.example');
});

test('TX-1-iwf: IWF interworking IMDN is forwarded toward A', () => {
  const r = world({}).send(sip('interworking', 'legacy-sms', { from: '<tel:+15551230002>' }));
  assert.deepEqual(r.effects, [{ kind: 'FWD_REQ', toLeg: 'core' }]);
});

test('TX-2: delivered to b1 and b2; b1 delivery forwarded, b2 delivery dropped with 200', () => {
  const { send } = world({ devices: 2 });
  const first = send(sip('delivery', 'delivered', { txn: 't1' }));
  assert.ok(fwd(first.effects));
  assert.ok(first.effects.some((e) => e.kind === 'CACHE_PUT' && e.cache === 'TX' && e.key.peer === A_KEY && e.key.servedUser === BOB));
  const second = send(sip('delivery', 'delivered', { txn: 't2' }));
  assert.equal(fwd(second.effects), false);
  assert.deepEqual(second.effects.filter((e) => e.kind === 'SEND_RESP'), [{ kind: 'SEND_RESP', txn: 't2', code: 200, reason: 'OK' }]);
  assert.equal(second.decisions[0].inputs.rule, 'IMDN-RX-2a-i');
});

// Seed 8.2.4: whatever number of the user's devices took the message, the sender gets one report
// per disposition: each device reports delivered and displayed once, in any order.
test('TX-2, TX-2b, TX-2x: property — n devices took m1 and each reports delivered and displayed once, in any order: the sender gets exactly one of each', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()].flatMap((i) => [`${i}:delivery`, `${i}:display`]), { minLength: 2 * n, maxLength: 2 * n }).map((order) => ({ n, order }))), ({ n, order }) => {
      const { send } = world({ devices: n });
      const forwarded = { delivery: 0, display: 0 };
      order.forEach((step, k) => {
        const type = step.split(':')[1] as 'delivery' | 'display';
        const r = send(sip(type, type === 'delivery' ? 'delivered' : 'displayed', { txn: `t${k}` }));
        if (fwd(r.effects)) forwarded[type]++;
        else assert.ok(r.effects.some((e) => e.kind === 'SEND_RESP' && e.txn === `t${k}` && e.code === 200), 'a dropped report is answered 200');
      });
      assert.deepEqual(forwarded, { delivery: 1, display: 1 }, `${n} device(s): ${order.join(' ')}`);
    }),
    { numRuns: 200 },
  );
});

test('TX-2b: after b1 delivery, b2 display is forwarded', () => {
  const { send } = world({ devices: 2 });
  send(sip('delivery', 'delivered'));
  assert.ok(fwd(send(sip('display', 'displayed')).effects));
});

test('TX-2c: b1 and IWF; IWF interworking forwarded, then b1 delivery dropped (2a-ii)', () => {
  const { send } = world({ devices: 2 });
  assert.ok(fwd(send(sip('interworking', 'legacy-sms')).effects));
  const r = send(sip('delivery', 'delivered'));
  assert.ok(dropped(r.effects));
  assert.equal(r.decisions[0].inputs.rule, 'IMDN-RX-2a-ii-1');
});

test('TX-2-rank: b1 failed then b2 delivered → both forwarded', () => {
  const { send } = world({ devices: 2 });
  assert.ok(fwd(send(sip('delivery', 'failed')).effects));
  assert.ok(fwd(send(sip('delivery', 'delivered')).effects));
});

test('TX-2-isc: served client sent isComposing; cached delivery; IWF interworking dropped + 200', () => {
  const { send, cache } = world({ devices: 2, kind: 'CHAT', iscServed: true });
  cache.apply({ kind: 'CACHE_PUT', cache: 'TX', key: { servedUser: BOB, peer: A_KEY, messageId: 'm1' }, type: 'delivery', status: 'delivered' }, NOW);
  const r = send(sip('interworking', 'legacy-sms', { txn: 'tw' }));
  assert.ok(dropped(r.effects));
  assert.equal(r.decisions[0].inputs.rule, 'IMDN-RX-2a-iii-2');
  assert.ok(r.effects.some((e) => e.kind === 'SEND_RESP' && e.txn === 'tw' && e.code === 200));
});

test('TX-2-isc-remote: only A composed (flag false) → interworking forwarded', () => {
  const { send, cache } = world({ devices: 2, kind: 'CHAT', iscServed: false });
  cache.apply({ kind: 'CACHE_PUT', cache: 'TX', key: { servedUser: BOB, peer: A_KEY, messageId: 'm1' }, type: 'delivery', status: 'delivered' }, NOW);
  assert.ok(fwd(send(sip('interworking', 'legacy-sms')).effects));
});

test('TX-2-gen: single endpoint, but IMDN-GEN-cache wrote (B,A,m1) delivered → b1 delivered is dropped + 200', () => {
  const { send, cache } = world({ devices: 1 });
  cache.apply({ kind: 'CACHE_PUT', cache: 'TX', key: { servedUser: BOB, peer: A_KEY, messageId: 'm1' }, type: 'delivery', status: 'delivered' }, NOW);
  const r = send(sip('delivery', 'delivered'));
  assert.ok(dropped(r.effects));
  assert.equal(r.decisions[0].branch, 'IMDN-TX-2');
});

test('TX-2x: single endpoint, no cache entry; b1 sends delivery twice → both forwarded', () => {
  const { send, cache } = world({ devices: 1 });
  assert.ok(fwd(send(sip('delivery', 'delivered')).effects));
  const r = send(sip('delivery', 'delivered'));
  assert.ok(fwd(r.effects));
  assert.equal(r.decisions[0].branch, 'IMDN-TX-2x');
  assert.equal(cache.size, 0);
});

test('TX-3: display displayed → SET_FLAG(O, \\Seen)', () => {
  const r = world({ storeRef: 'O' }).send(sip('display', 'displayed'));
  assert.ok(r.effects.some((e) => e.kind === 'SET_FLAG' && e.objectRef === 'O' && e.flag === '\\Seen'));
});

test('TX-3-ft: file transfer with history object H → SET_FLAG(H)', () => {
  const r = world({ storeRef: 'H', kind: 'FT' }).send(sip('display', 'displayed'));
  assert.ok(r.effects.some((e) => e.kind === 'SET_FLAG' && e.objectRef === 'H'));
});

test('TX-3-dup: b2 display dropped as duplicate still sets \\Seen', () => {
  const { send } = world({ devices: 2, storeRef: 'O' });
  send(sip('display', 'displayed'));
  const r = send(sip('display', 'displayed'));
  assert.ok(dropped(r.effects));
  assert.ok(r.effects.some((e) => e.kind === 'SET_FLAG' && e.objectRef === 'O'));
});

test('TX-3-err: display error → no SET_FLAG', () => {
  const r = world({ storeRef: 'O' }).send(sip('display', 'error'));
  assert.equal(r.effects.some((e) => e.kind === 'SET_FLAG'), false);
  assert.equal(r.decisions.find((d) => d.branch === 'IMDN-TX-3')?.outcome, 'NO_FLAG');
});

test('TX-3-off: setSeenOnDisplay=false → no SET_FLAG', () => {
  const r = world({ storeRef: 'O', policy: { setSeenOnDisplay: false } }).send(sip('display', 'displayed'));
  assert.equal(r.effects.some((e) => e.kind === 'SET_FLAG'), false);
});

test('TX-3-missing: m1 not in store → no SET_FLAG, no error', () => {
  const r = world({}).send(sip('display', 'displayed'));
  assert.equal(r.effects.some((e) => e.kind === 'SET_FLAG'), false);
  assert.ok(fwd(r.effects));
});

test('TX-4-client: recording on, b1 delivery IMDN → no RECORD_OBJECT', () => {
  const r = world({ policy: { recordingEnabled: true } }).send(sip('delivery', 'delivered'));
  assert.equal(r.effects.some((e) => e.kind === 'RECORD_OBJECT'), false);
  assert.ok(fwd(r.effects));
});

test('TX-4-iwf: recording on, IWF interworking IMDN → no RECORD_OBJECT', () => {
  const r = world({ policy: { recordingEnabled: true } }).send(sip('interworking', 'legacy-sms', { from: '<tel:+15551230002>' }));
  assert.equal(r.effects.some((e) => e.kind === 'RECORD_OBJECT'), false);
});
