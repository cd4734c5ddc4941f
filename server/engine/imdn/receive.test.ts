import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImdnCache } from './cache';
import { receiveImdn, type ReceiveImdnInput } from './receive';
import { aggregateMessage, ALICE, BOB_KEY, BOB_PHONE, CAROL, CAROL_KEY, cpimImdn, imdnMessage } from './fixtures';
import { withPolicy, type PolicyOverrides } from '../policy';
import type { DispositionType, MessageIndexEntry } from '../model';
import type { SipMessageView } from '../message';

const DAY = 86_400_000;
const NOW = 1_700_000_000_000;

type Seed = { peer?: string; messageId?: string; type: DispositionType; status?: string; at?: number };
const DEFAULT_STATUS: Record<DispositionType, string> = { delivery: 'delivered', display: 'displayed', processing: 'processed', interworking: 'legacy-sms' };

function setup(opts: {
  seed?: Seed[];
  policy?: PolicyOverrides;
  kind?: MessageIndexEntry['kind'];
  isComposingFrom?: string[];
}) {
  const policy = withPolicy(opts.policy);
  const cache = new ImdnCache({ name: 'RX', ttlSec: policy.imdnCacheTtlSec });
  for (const s of opts.seed ?? []) {
    cache.apply(
      { kind: 'CACHE_PUT', cache: 'RX', key: { servedUser: ALICE, peer: s.peer ?? BOB_KEY, messageId: s.messageId ?? 'm1' }, type: s.type, status: s.status ?? DEFAULT_STATUS[s.type] },
      s.at ?? NOW - 1000,
    );
  }
  const kind = opts.kind ?? 'CHAT';
  const input = (message: SipMessageView): ReceiveImdnInput => ({
    servedUser: ALICE,
    message,
    cache,
    messageIndex: () => ({ kind, sessionId: kind === 'CHAT' ? 'S' : undefined, requested: [] }),
    session: (id) => (id === 'S' ? { isComposingFrom: opts.isComposingFrom ?? [] } : undefined),
    policy,
    now: NOW,
    txn: 't1',
  });
  return { cache, run: (m: SipMessageView) => receiveImdn(input(m)) };
}

function imdn(type: DispositionType, status = DEFAULT_STATUS[type], from: string | undefined = BOB_PHONE, messageId = 'm1') {
  return imdnMessage({ from, messageId, type, status });
}

function expectForward(r: ReturnType<ReturnType<typeof setup>['run']>, branch: string, put: boolean) {
  assert.equal(r.decisions.length, 1);
  assert.equal(r.decisions[0].branch, branch);
  assert.equal(r.decisions[0].outcome, 'FORWARD');
  assert.equal(r.forward.length, 1);
  assert.equal(r.effects.some((e) => e.kind === 'DROP'), false);
  assert.equal(r.effects.some((e) => e.kind === 'SEND_RESP'), false, 'a forwarded IMDN is answered by §8, not here');
  assert.equal(r.effects.filter((e) => e.kind === 'CACHE_PUT').length, put ? 1 : 0);
}

function expectDrop(r: ReturnType<ReturnType<typeof setup>['run']>, branch: string, reason?: string) {
  assert.equal(r.decisions[0].branch, branch);
  assert.equal(r.decisions[0].outcome, 'DROP');
  assert.equal(r.forward.length, 0);
  assert.equal(r.effects.some((e) => e.kind === 'CACHE_PUT'), false);
  const drop = r.effects.find((e) => e.kind === 'DROP');
  assert.ok(drop);
  if (reason) assert.equal(drop.kind === 'DROP' && drop.reason, reason);
  assert.deepEqual(r.effects.at(-1), { kind: 'SEND_RESP', txn: 't1', code: 200, reason: 'OK' });
}

test('RX-0: imdnDirectForward forwards without cache lookup or update', () => {
  const { run } = setup({ seed: [{ type: 'delivery' }], policy: { imdnDirectForward: true } });
  const r = run(imdn('delivery'));
  expectForward(r, 'IMDN-RX-0', false);
  assert.equal(r.decisions[0].inputs['policy.imdnDirectForward'], true);
});

test('RX-1: the decision log shows the extracted messageId and type', () => {
  const { run } = setup({});
  const r = run(imdn('delivery'));
  assert.equal(r.decisions[0].messageId, 'm1');
  assert.equal(r.decisions[0].disposition, 'delivery');
  assert.equal(r.decisions[0].inputs.type, 'delivery');
  assert.equal(r.decisions[0].inputs.messageId, 'm1');
  assert.equal(r.forward[0].imdn?.messageId, 'm1');
});

test('RX-1x: XML without <message-id> is forwarded unchanged, nothing cached', () => {
  const { run } = setup({ seed: [{ type: 'delivery' }] });
  const xml = '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><delivery-notification><status><delivered/></status></delivery-notification></imdn>';
  const m = imdnMessage({ from: BOB_PHONE, messageId: 'm1', type: 'delivery', status: 'delivered', xml });
  const r = run(m);
  expectForward(r, 'IMDN-RX-1x', false);
  assert.equal(r.forward[0].raw, m.body);
  assert.equal(r.forward[0].parsed, false);
  assert.equal(r.decisions[0].inputs.error, 'NO_MESSAGE_ID');
});

test('RX-3: empty cache → CACHE_PUT and forward', () => {
  const { run } = setup({});
  const r = run(imdn('delivery'));
  expectForward(r, 'IMDN-RX-3', true);
  assert.deepEqual(r.effects[0], { kind: 'CACHE_PUT', cache: 'RX', key: { servedUser: ALICE, peer: BOB_KEY, messageId: 'm1' }, type: 'delivery', status: 'delivered' });
});

test('RX-2b: cache holds m0 only → CACHE_PUT m1 and forward', () => {
  const { run } = setup({ seed: [{ messageId: 'm0', type: 'delivery' }] });
  const r = run(imdn('delivery'));
  expectForward(r, 'IMDN-RX-2b', true);
});

test('RX-2a-i-del: repeated delivery from a second device is dropped with 200', () => {
  expectDrop(setup({ seed: [{ type: 'delivery' }] }).run(imdn('delivery')), 'IMDN-RX-2a-i', 'duplicate-type');
});

test('RX-2a-i-disp: display after delivery+display is dropped', () => {
  expectDrop(setup({ seed: [{ type: 'delivery' }, { type: 'display' }] }).run(imdn('display')), 'IMDN-RX-2a-i');
});

test('RX-2a-i-iw: interworking after interworking is dropped', () => {
  expectDrop(setup({ seed: [{ type: 'interworking' }] }).run(imdn('interworking')), 'IMDN-RX-2a-i');
});

test('RX-2a-ii-1: delivery after interworking is dropped', () => {
  expectDrop(setup({ seed: [{ type: 'interworking' }] }).run(imdn('delivery')), 'IMDN-RX-2a-ii-1', 'delivery-after-interworking');
});

test('RX-2a-iii-1: interworking after display is dropped', () => {
  expectDrop(setup({ seed: [{ type: 'delivery' }, { type: 'display' }] }).run(imdn('interworking')), 'IMDN-RX-2a-iii-1', 'interworking-after-display');
});

test('RX-2a-iii-2: interworking for a CHAT message after the recipient sent isComposing is dropped', () => {
  const r = setup({ seed: [{ type: 'delivery' }], isComposingFrom: [BOB_KEY] }).run(imdn('interworking'));
  expectDrop(r, 'IMDN-RX-2a-iii-2', 'interworking-after-iscomposing');
});

test('RX-2a-iii-2-other: only another participant composed → forwarded and cached', () => {
  const r = setup({ seed: [{ type: 'delivery' }], isComposingFrom: [CAROL_KEY] }).run(imdn('interworking'));
  expectForward(r, 'IMDN-RX-2a-iv', true);
});

test('RX-2a-iii-2-norm: isComposing from user=phone URI matches tel: notification', () => {
  const r = setup({ seed: [{ type: 'delivery' }], isComposingFrom: ['<sip:+15551230002@ims.beta.example;user=phone>'] }).run(
    imdn('interworking', 'legacy-sms', '<tel:+15551230002>'),
  );
  expectDrop(r, 'IMDN-RX-2a-iii-2');
});

test('RX-2a-iii-2-own: only the served user composed → forwarded', () => {
  const r = setup({ seed: [{ type: 'delivery' }], isComposingFrom: [] }).run(imdn('interworking'));
  expectForward(r, 'IMDN-RX-2a-iv', true);
});

test('RX-2a-iii-2-sa: STANDALONE message is not subject to the isComposing rule', () => {
  const r = setup({ seed: [{ type: 'delivery' }], kind: 'STANDALONE', isComposingFrom: [BOB_KEY] }).run(imdn('interworking'));
  expectForward(r, 'IMDN-RX-2a-iv', true);
  const put = r.effects.find((e) => e.kind === 'CACHE_PUT');
  assert.equal(put?.kind === 'CACHE_PUT' && put.type, 'interworking');
});

test('RX-2a-iii-2-nc: CHAT with no isComposing seen → forwarded and cached', () => {
  expectForward(setup({ seed: [{ type: 'delivery' }] }).run(imdn('interworking')), 'IMDN-RX-2a-iv', true);
});

test('RX-2a-iv-a: display after delivery → CACHE_PUT display, forward', () => {
  const r = setup({ seed: [{ type: 'delivery' }] }).run(imdn('display'));
  expectForward(r, 'IMDN-RX-2a-iv', true);
  const put = r.effects[0];
  assert.equal(put.kind === 'CACHE_PUT' && put.type, 'display');
});

test('RX-2a-iv-b: delivery after display is allowed', () => {
  expectForward(setup({ seed: [{ type: 'display' }] }).run(imdn('delivery')), 'IMDN-RX-2a-iv', true);
});

test('RX-2a-iv-c: processing after delivery is forwarded', () => {
  expectForward(setup({ seed: [{ type: 'delivery' }] }).run(imdn('processing')), 'IMDN-RX-2a-iv', true);
});

test('RX-2y-off: interworking after delivery forwarded by default', () => {
  expectForward(setup({ seed: [{ type: 'delivery' }], kind: 'STANDALONE' }).run(imdn('interworking')), 'IMDN-RX-2a-iv', true);
});

test('RX-2y-on: suppressInterworkingAfterDelivery drops it', () => {
  const r = setup({ seed: [{ type: 'delivery' }], kind: 'STANDALONE', policy: { suppressInterworkingAfterDelivery: true } }).run(imdn('interworking'));
  expectDrop(r, 'IMDN-RX-2y');
});

test('RX-2x-on: uncached interworking after isComposing dropped when the rule runs without a cache hit', () => {
  const r = setup({ isComposingFrom: [BOB_KEY], policy: { isComposingRuleWithoutCacheHit: true } }).run(imdn('interworking'));
  expectDrop(r, 'IMDN-RX-2x');
});

test('RX-2x-off: default policy keeps the seed’s 3 (cache and forward)', () => {
  expectForward(setup({ isComposingFrom: [BOB_KEY] }).run(imdn('interworking')), 'IMDN-RX-3', true);
});

test('RX-2x-off-2b: default policy keeps the seed’s 2b', () => {
  expectForward(setup({ seed: [{ messageId: 'm0', type: 'delivery' }], isComposingFrom: [BOB_KEY] }).run(imdn('interworking')), 'IMDN-RX-2b', true);
});

test('RX-2x-on-2b: with the override the 2b case is dropped', () => {
  const r = setup({ seed: [{ messageId: 'm0', type: 'delivery' }], isComposingFrom: [BOB_KEY], policy: { isComposingRuleWithoutCacheHit: true } }).run(imdn('interworking'));
  expectDrop(r, 'IMDN-RX-2x');
});

test('RX-ttl: an entry stored 8 days ago with a 7-day TTL counts as absent', () => {
  const r = setup({ seed: [{ type: 'delivery', at: NOW - 8 * DAY }] }).run(imdn('delivery'));
  expectForward(r, 'IMDN-RX-3', true);
  // and just inside the TTL it is still a duplicate
  expectDrop(setup({ seed: [{ type: 'delivery', at: NOW - 6 * DAY }] }).run(imdn('delivery')), 'IMDN-RX-2a-i');
});

test('RX-ttl-cfg: imdnCacheTtlSec=60 and a 61 s old entry → forwarded', () => {
  expectForward(setup({ seed: [{ type: 'delivery', at: NOW - 61_000 }], policy: { imdnCacheTtlSec: 60 } }).run(imdn('delivery')), 'IMDN-RX-3', true);
  expectDrop(setup({ seed: [{ type: 'delivery', at: NOW - 59_000 }], policy: { imdnCacheTtlSec: 60 } }).run(imdn('delivery')), 'IMDN-RX-2a-i');
});

test('RX-key: a notification from another recipient C has its own key', () => {
  const r = setup({ seed: [{ type: 'delivery' }] }).run(imdn('delivery', 'delivered', CAROL));
  expectForward(r, 'IMDN-RX-2b', true);
  assert.deepEqual(r.effects[0], { kind: 'CACHE_PUT', cache: 'RX', key: { servedUser: ALICE, peer: CAROL_KEY, messageId: 'm1' }, type: 'delivery', status: 'delivered' });
});

test('RX-key-dev: same recipient, second device → dropped', () => {
  const r = setup({ seed: [{ peer: 'sip:+15551230002@ims.beta.example', type: 'delivery' }] }).run(
    imdn('delivery', 'delivered', '<sip:+15551230002@ims.beta.example>'),
  );
  expectDrop(r, 'IMDN-RX-2a-i');
});

test('RX-key-norm-1: tel: interworking entry blocks a user=phone delivery (2a-ii-1)', () => {
  const { cache, run } = setup({});
  const first = run(imdn('interworking', 'legacy-sms', '<tel:+15551230002>'));
  for (const e of first.effects) cache.apply(e, NOW);
  expectDrop(run(imdn('delivery', 'delivered', '<sip:+15551230002@ims.beta.example;user=phone>')), 'IMDN-RX-2a-ii-1');
});

test('RX-key-norm-2: GRUU parameter dropped and host lower-cased → same key', () => {
  const { cache, run } = setup({});
  for (const e of run(imdn('delivery', 'delivered', '<sip:bob@IMS.Beta.Example;gr=urn:uuid:f81d>')).effects) cache.apply(e, NOW);
  expectDrop(run(imdn('delivery', 'delivered', '<sip:bob@ims.beta.example>')), 'IMDN-RX-2a-i');
});

test('RX-key-norm-3: a sip: number without user=phone is not the tel: key', () => {
  const { cache, run } = setup({});
  for (const e of run(imdn('interworking', 'legacy-sms', '<tel:+15551230002>')).effects) cache.apply(e, NOW);
  const r = run(imdn('delivery', 'delivered', '<sip:+15551230002@ims.beta.example>'));
  expectForward(r, 'IMDN-RX-2b', true);
});

test('RX-key-norm-4: the user part is case-sensitive', () => {
  const r = setup({ seed: [{ peer: 'sip:Bob@ims.beta.example', type: 'delivery' }] }).run(imdn('delivery', 'delivered', '<sip:bob@ims.beta.example>'));
  expectForward(r, 'IMDN-RX-2b', true);
});

test('RX-key-pai: no CPIM From → the first P-Asserted-Identity is the recipient', () => {
  const { run } = setup({});
  const m = imdnMessage({
    from: undefined,
    messageId: 'm1',
    type: 'delivery',
    status: 'delivered',
    headers: { 'p-asserted-identity': ['<sip:+15551230002@ims.beta.example;user=phone>'] },
  });
  const r = run(m);
  const put = r.effects[0];
  assert.equal(put.kind === 'CACHE_PUT' && put.key.peer, '+15551230002');
  assert.equal(r.decisions[0].inputs.recipientSource, 'P-Asserted-Identity');
});

test('RX-status-TYPE: literal TYPE mode drops delivered after failed', () => {
  expectDrop(setup({ seed: [{ type: 'delivery', status: 'failed' }], policy: { imdnDedupKey: 'TYPE' } }).run(imdn('delivery', 'delivered')), 'IMDN-RX-2a-i');
});

test('RX-status-TS: TYPE_AND_STATUS forwards delivered after failed', () => {
  expectForward(setup({ seed: [{ type: 'delivery', status: 'failed' }], policy: { imdnDedupKey: 'TYPE_AND_STATUS' } }).run(imdn('delivery', 'delivered')), 'IMDN-RX-2a-iv', true);
  expectDrop(setup({ seed: [{ type: 'delivery', status: 'failed' }], policy: { imdnDedupKey: 'TYPE_AND_STATUS' } }).run(imdn('delivery', 'failed')), 'IMDN-RX-2a-i');
});

test('RX-status-rank-1: positive after negative is forwarded; the entry then holds both', () => {
  const { cache, run } = setup({ seed: [{ type: 'delivery', status: 'failed' }] });
  const r = run(imdn('delivery', 'delivered'));
  expectForward(r, 'IMDN-RX-2a-iv', true);
  for (const e of r.effects) cache.apply(e, NOW);
  const entry = cache.get({ servedUser: ALICE, peer: BOB_KEY, messageId: 'm1' }, NOW);
  assert.deepEqual({ ...entry?.types.delivery, statuses: [...(entry?.types.delivery?.statuses ?? [])].sort() }, { positive: true, negative: true, statuses: ['delivered', 'failed'] });
});

test('RX-status-rank-2: negative after positive is dropped', () => {
  expectDrop(setup({ seed: [{ type: 'delivery', status: 'delivered' }] }).run(imdn('delivery', 'failed')), 'IMDN-RX-2a-i');
});

test('RX-status-rank-3: repeated delivered is dropped', () => {
  expectDrop(setup({ seed: [{ type: 'delivery', status: 'delivered' }] }).run(imdn('delivery', 'delivered')), 'IMDN-RX-2a-i');
});

test('RX-status-rank-4: repeated failed is dropped', () => {
  expectDrop(setup({ seed: [{ type: 'delivery', status: 'failed' }] }).run(imdn('delivery', 'failed')), 'IMDN-RX-2a-i');
});

test('RX-status-rank-5: forbidden after failed (negative after negative) is dropped', () => {
  expectDrop(setup({ seed: [{ type: 'delivery', status: 'failed' }] }).run(imdn('delivery', 'forbidden')), 'IMDN-RX-2a-i');
});

test('RX-status-rank-6: displayed after display error is forwarded', () => {
  expectForward(setup({ seed: [{ type: 'display', status: 'error' }] }).run(imdn('display', 'displayed')), 'IMDN-RX-2a-iv', true);
});

test('RX-status-rank-7: failed after failed+delivered is dropped', () => {
  const r = setup({ seed: [{ type: 'delivery', status: 'failed' }, { type: 'delivery', status: 'delivered' }] }).run(imdn('delivery', 'failed'));
  expectDrop(r, 'IMDN-RX-2a-i');
});

test('RX-status-rank-8: delivered after interworking error is dropped by 2a-ii-1 (type only)', () => {
  expectDrop(setup({ seed: [{ type: 'interworking', status: 'error' }] }).run(imdn('delivery', 'delivered')), 'IMDN-RX-2a-ii-1');
});

test('RX-agg: aggregate with m1 (cached) and m2 → m1 dropped, m2 forwarded, no 200 from RX', () => {
  const { run } = setup({ seed: [{ type: 'delivery' }] });
  const m = aggregateMessage([
    cpimImdn({ from: BOB_PHONE, messageId: 'm1', type: 'delivery', status: 'delivered' }),
    cpimImdn({ from: BOB_PHONE, messageId: 'm2', type: 'delivery', status: 'delivered' }),
  ]);
  const r = run(m);
  assert.deepEqual(r.decisions.map((d) => [d.branch, d.messageId]), [['IMDN-RX-2a-i', 'm1'], ['IMDN-RX-2b', 'm2']]);
  assert.equal(r.forward.length, 1);
  assert.equal(r.forward[0].imdn?.messageId, 'm2');
  assert.equal(r.effects.filter((e) => e.kind === 'SEND_RESP').length, 0);
});

test('RX-agg: parts of one aggregate see each other’s CACHE_PUTs (second copy dropped)', () => {
  const { run } = setup({});
  const p = cpimImdn({ from: BOB_PHONE, messageId: 'm1', type: 'delivery', status: 'delivered' });
  const r = run(aggregateMessage([p, p]));
  assert.deepEqual(r.decisions.map((d) => d.branch), ['IMDN-RX-3', 'IMDN-RX-2a-i']);
  assert.equal(r.effects.filter((e) => e.kind === 'CACHE_PUT').length, 1);
});

test('RX-resp-drop: a dropped IMDN is answered 200 on the incoming transaction', () => {
  const r = setup({ seed: [{ type: 'delivery' }] }).run(imdn('delivery'));
  assert.deepEqual(r.effects.filter((e) => e.kind === 'SEND_RESP'), [{ kind: 'SEND_RESP', txn: 't1', code: 200, reason: 'OK' }]);
});

test('IMDN-RX-2, D-295: no lookup is asked the same question twice in one call (each is a recorded read), forwarded or dropped, the message known or not', () => {
  for (const known of [true, false]) {
    for (const seed of [[], [{ type: 'delivery' as const }]]) {
      const policy = withPolicy({});
      const cache = new ImdnCache({ name: 'RX', ttlSec: policy.imdnCacheTtlSec });
      for (const s of seed) cache.apply({ kind: 'CACHE_PUT', cache: 'RX', key: { servedUser: ALICE, peer: BOB_KEY, messageId: 'm1' }, type: s.type, status: 'delivered' }, NOW - 1000);
      const asked: string[] = [];
      const ask = <A extends unknown[], R>(name: string, f: (...a: A) => R) => (...a: A): R => {
        asked.push(`${name} ${JSON.stringify(a)}`);
        return f(...a);
      };
      const r = receiveImdn({
        servedUser: ALICE,
        message: imdn('delivery'),
        cache: { get: ask('cache.get', cache.get.bind(cache)), isEmptyFor: ask('cache.isEmptyFor', cache.isEmptyFor.bind(cache)) },
        messageIndex: ask('messageIndex', () => (known ? { kind: 'CHAT' as const, sessionId: 'S', requested: [] } : undefined)),
        session: ask('session', () => ({ isComposingFrom: [] })),
        policy,
        now: NOW,
        txn: 't1',
      });
      assert.equal(r.decisions[0].outcome, seed.length ? 'DROP' : 'FORWARD');
      assert.deepEqual(asked, [...new Set(asked)], `known ${known}, cached ${seed.length > 0}: ${asked.join('; ')}`);
    }
  }
});
