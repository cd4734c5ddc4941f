import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { expiredDeferredItem, flushGeneratedImdns, generateImdn, type GenBuffers, type GenEvent, type OriginalForGen } from './generate';
import { handleBye } from '../bye/handle-bye';
import { P, R1, T0, chatItem, msrpOn, pol } from '../bye/fixtures';
import type { DeferredItem } from '../effects';
import { ImdnCache } from './cache';
import { sendImdn } from './send';
import { cpimImdn } from './fixtures';
import { withPolicy, type PolicyOverrides } from '../policy';
import type { Effect } from '../effects';
import { parseCpim, cpimHeader, imdnHeader, imdnHeaderValues, contentHeader } from '../parse/cpim';
import { parseCpimImdn } from '../parse/imdn';
import { parseMultipart } from '../parse/multipart';
import { CPM_ICSI } from '../parse/feature-tags';

const NOW = Date.UTC(2015, 10, 10, 10, 20, 0);
const B = 'sip:+15551230002@ims.beta.example';
const A = 'sip:+15551230001@ims.alpha.example';

function original(opts: { dn?: string; from?: string; kind?: OriginalForGen['kind']; extra?: string[]; id?: string; conv?: string } = {}): OriginalForGen {
  const lines = [
    `From: ${opts.from ?? `<${A}>`}`,
    `To: <${B}>`,
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${opts.id ?? 'm1'}`,
    'DateTime: 2015-11-10T10:19:30.000Z',
    ...(opts.dn === '' ? [] : [`imdn.Disposition-Notification: ${opts.dn ?? 'positive-delivery, negative-delivery'}`]),
    ...(opts.extra ?? []),
    '',
    'Content-Type: text/plain;charset=UTF-8',
    '',
    'hello',
  ].join('\r\n');
  const c = parseCpim(lines);
  assert.ok(c.ok);
  return { kind: opts.kind ?? 'CHAT', cpim: c.value, conversationId: opts.conv ?? 'conv-5', contributionId: opts.conv ? `contrib-of-${opts.conv}` : 'contrib-5' };
}

function gen(event: GenEvent, opts: { orig?: OriginalForGen; policy?: PolicyOverrides; buffers?: GenBuffers; n?: number; cache?: ImdnCache } = {}) {
  return generateImdn({ servedUser: B, original: opts.orig ?? original(), event, newMessageId: `gen${opts.n ?? 1}`, policy: withPolicy(opts.policy), now: NOW, buffers: opts.buffers, cache: opts.cache ?? new ImdnCache({ name: 'TX', ttlSec: 604800 }) });
}

const sent = (e: Effect[]) => e.filter((x) => x.kind === 'SEND_REQ');
const OMA10 = { userAgent: 'CPM-client/OMA1.0 foo' };

function body(e: Effect[]) {
  const req = sent(e)[0];
  assert.ok(req && req.kind === 'SEND_REQ');
  const parsed = parseCpimImdn(req.body ?? '');
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.error));
  return { req, ...parsed.value };
}

test('GEN-1: delivery failed, negative requested → MESSAGE toward A with <failed/>, CPIM From=B To=A, new id, no DN header', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' });
  const { req, cpim, imdn } = body(r.effects);
  assert.equal(req.kind === 'SEND_REQ' && req.uri, A);
  assert.equal(cpimHeader(cpim, 'From'), `<${B}>`);
  assert.equal(cpimHeader(cpim, 'To'), `<${A}>`);
  assert.equal(imdnHeader(cpim, 'Message-ID'), 'gen1');
  assert.equal(imdnHeader(cpim, 'Disposition-Notification'), undefined);
  assert.equal(imdn.messageId, 'm1');
  assert.equal(imdn.datetime, '2015-11-10T10:19:30.000Z');
  assert.equal(imdn.type, 'delivery');
  assert.equal(imdn.status, 'failed');
  assert.equal(cpimHeader(cpim, 'DateTime'), '2015-11-10T10:20:00.000Z');
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-1');
});

test('GEN-1-exp: deferred m1 expired undelivered → <failed/>', () => {
  assert.equal(body(gen({ kind: 'DEFERRED_EXPIRED' }).effects).imdn.status, 'failed');
});

test('GEN-1x: only positive-delivery requested → no IMDN on failure', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' }, { orig: original({ dn: 'positive-delivery' }) });
  assert.deepEqual(r.effects, []);
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-1x');
});

test('GEN-2-UA: CHAT to a CPM-client/OMA1.0 client, positive requested → <delivered/>', () => {
  const r = gen({ kind: 'DELIVERED', client: OMA10 });
  assert.equal(body(r.effects).imdn.status, 'delivered');
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-2-UA');
});

test('GEN-2-UA-sa: STANDALONE to an OMA1.0 client → nothing (UA rule is chat only)', () => {
  const r = gen({ kind: 'DELIVERED', client: OMA10 }, { orig: original({ kind: 'STANDALONE' }) });
  assert.deepEqual(r.effects, []);
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-2x');
});

test('GEN-2-SDP: client SDP lacks message/imdn+xml → <delivered/>', () => {
  const r = gen({ kind: 'DELIVERED', client: { userAgent: 'Other/1', sdp: { acceptTypes: ['message/cpim'], acceptWrappedTypes: ['text/plain'] } } });
  assert.equal(body(r.effects).imdn.status, 'delivered');
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-2-SDP');
});

test('GEN-2-def: deferred CHAT delivery to a rejoining OMA1.0 client → <delivered/>', () => {
  const r = gen({ kind: 'DELIVERED', client: OMA10, deferred: true }, { orig: original({ dn: 'positive-delivery' }) });
  assert.equal(body(r.effects).imdn.status, 'delivered');
  assert.equal(r.decisions[0].inputs.deferred, true);
});

test('GEN-2x: OMA2.2 client with message/imdn+xml in SDP → nothing', () => {
  const r = gen({ kind: 'DELIVERED', client: { userAgent: 'CPM-client/OMA2.2', sdp: { acceptTypes: ['message/cpim'], acceptWrappedTypes: ['message/imdn+xml'] } } });
  assert.deepEqual(r.effects, []);
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-2x');
});

test('GEN-2y: non-IMDN client but only negative-delivery requested → nothing', () => {
  const r = gen({ kind: 'DELIVERED', client: OMA10 }, { orig: original({ dn: 'negative-delivery' }) });
  assert.deepEqual(r.effects, []);
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-2y');
});

// GEN-3 from what the product really holds: a chat message the PF intercepted for a disconnected
// user with allow-defer (BYE-4-R-ii, a CHAT_MESSAGE item in the deferred queue) that expires
// there undelivered is a chat message "discarded after expiry according to user preferences".
function interceptedChatItem(dn: string[]): DeferredItem {
  const out = handleBye(R1(true), msrpOn('cf', chatItem({ dispositionNotification: dn })), P('ad'), pol(), T0);
  const d = out.effects.find((e) => e.kind === 'DEFER');
  assert.ok(d && d.kind === 'DEFER' && d.item.kind === 'CHAT_MESSAGE');
  return d.item;
}

test('GEN-3: a chat message deferred under BYE-4-R-ii expires undelivered, negative requested → <failed/> for it, with the session ICSI', () => {
  const item = interceptedChatItem(['positive-delivery', 'negative-delivery']);
  const due = expiredDeferredItem(item);
  assert.ok(due);
  assert.deepEqual(due.event, { kind: 'CHAT_DISCARDED' });
  const r = generateImdn({ servedUser: item.servedUser, ...due, newMessageId: 'g3', policy: withPolicy(), now: NOW, cache: new ImdnCache({ name: 'TX', ttlSec: 604800 }) });
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-3');
  const { req, imdn } = body(r.effects);
  assert.equal(imdn.messageId, 'm5');
  assert.equal(imdn.status, 'failed');
  assert.equal(req.kind === 'SEND_REQ' && req.headers['P-Asserted-Service'], CPM_ICSI.session);
});

test('GEN-3x: the same expiry when the sender asked only for display → no IMDN', () => {
  const item = interceptedChatItem(['display']);
  const due = expiredDeferredItem(item)!;
  const r = generateImdn({ servedUser: item.servedUser, ...due, newMessageId: 'g3x', policy: withPolicy(), now: NOW });
  assert.deepEqual(r.effects, []);
  assert.equal(r.decisions[0].branch, 'IMDN-GEN-3');
});

test('GEN-1-exp, GEN-3: an expired item gives GEN-1 for a standalone message, GEN-3 for a chat message, nothing for a deferred IMDN', () => {
  const chat = interceptedChatItem(['negative-delivery']);
  assert.equal(expiredDeferredItem(chat)?.original.kind, 'CHAT');
  assert.equal(expiredDeferredItem({ ...chat, kind: 'MESSAGE' })?.event.kind, 'DEFERRED_EXPIRED');
  assert.equal(expiredDeferredItem({ ...chat, kind: 'MESSAGE' })?.original.kind, 'STANDALONE');
  assert.equal(expiredDeferredItem({ ...chat, kind: 'IMDN' }), undefined);
  assert.equal(expiredDeferredItem({ ...chat, contentType: 'text/plain', body: 'hi' }), undefined, 'no CPIM envelope, nobody to address');
});

test('GEN-4: FT MSRP error, negative requested → SIP MESSAGE <failed/> with the filetransfer ICSI', () => {
  const r = gen({ kind: 'FT_MSRP_ERROR' }, { orig: original({ kind: 'FT', id: 'f1' }) });
  const { req, imdn } = body(r.effects);
  assert.equal(imdn.messageId, 'f1');
  assert.equal(imdn.status, 'failed');
  assert.equal(req.kind === 'SEND_REQ' && req.method, 'MESSAGE');
  assert.equal(req.kind === 'SEND_REQ' && req.headers['P-Asserted-Service'], CPM_ICSI.filetransfer);
  assert.match(String(req.kind === 'SEND_REQ' && req.headers['Accept-Contact']), /oma\.cpm\.filetransfer/);
});

test('GEN-4x: no negative-delivery → no IMDN', () => {
  assert.deepEqual(gen({ kind: 'FT_MSRP_ERROR' }, { orig: original({ kind: 'FT', dn: 'positive-delivery' }) }).effects, []);
});

function txSend(cache: ImdnCache, status: string, txn: string, endpoints = 1) {
  const r = sendImdn({
    servedUser: B,
    carrier: { kind: 'SIP', txn, message: { method: 'MESSAGE', uri: A, headers: { 'content-type': ['message/cpim'] }, body: cpimImdn({ from: `<${B}>`, to: `<${A}>`, messageId: 'm1', type: 'delivery', status }) } },
    cache,
    messageIndex: () => ({ kind: 'CHAT', deliveredEndpoints: endpoints, requested: [] }),
    session: () => undefined,
    policy: withPolicy(),
    now: NOW,
  });
  for (const e of r.effects) cache.apply(e, NOW);
  return r;
}

test('GEN-cache-1: CACHE_PUT(TX) comes before SEND_REQ; b2’s later delivered is dropped + 200', () => {
  const r = gen({ kind: 'DELIVERED', client: OMA10 });
  assert.deepEqual(r.effects.map((e) => e.kind), ['CACHE_PUT', 'SEND_REQ']);
  assert.deepEqual(r.effects[0], { kind: 'CACHE_PUT', cache: 'TX', key: { servedUser: B, peer: A, messageId: 'm1' }, type: 'delivery', status: 'delivered' });
  const cache = new ImdnCache({ name: 'TX', ttlSec: 604800 });
  for (const e of r.effects) cache.apply(e, NOW);
  const t = txSend(cache, 'delivered', 'tb2');
  assert.ok(t.effects.some((e) => e.kind === 'DROP'));
  assert.ok(t.effects.some((e) => e.kind === 'SEND_RESP' && e.txn === 'tb2' && e.code === 200));
});

// Seed 8.2.4: "in case the message was delivered to multiple endpoints, a similar caching strategy
// will be followed": the PF's own reports are judged against the IMDN-TX cache like a device's
// (D-123). Two OMA 1.0 devices accepting one chat message give one <delivered/>, not two.
test('GEN-cache-1: the same chat message accepted by two OMA 1.0 devices yields one delivered report; the second is a duplicate', () => {
  const cache = new ImdnCache({ name: 'TX', ttlSec: 604800 });
  const first = gen({ kind: 'DELIVERED', client: OMA10 }, { cache });
  for (const e of first.effects) cache.apply(e, NOW);
  assert.equal(sent(first.effects).length, 1);
  const second = gen({ kind: 'DELIVERED', client: OMA10 }, { cache, n: 2 });
  assert.deepEqual(second.effects, [], 'no second report, no second cache write');
  assert.deepEqual(second.decisions.map((d) => [d.branch, d.outcome]), [['IMDN-GEN-cache', 'DUPLICATE']]);
});

test('GEN-cache-1: property — over any sequence of generated and device reports for one message, the sender gets at most one report per status rank (never two delivered, never a failed after a delivered)', () => {
  const step = fc.oneof(
    fc.constant({ by: 'gen' as const, event: { kind: 'DELIVERED', client: OMA10 } as GenEvent }),
    fc.constant({ by: 'gen' as const, event: { kind: 'DELIVERY_FAILED' } as GenEvent }),
    fc.constantFrom('delivered', 'failed').map((status) => ({ by: 'device' as const, status })),
  );
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
      const cache = new ImdnCache({ name: 'TX', ttlSec: 604800 });
      const out: string[] = [];
      steps.forEach((st, i) => {
        if (st.by === 'gen') {
          const r = gen(st.event, { cache, n: i });
          for (const e of r.effects) cache.apply(e, NOW);
          if (sent(r.effects).length) out.push(r.generated!.status);
        } else {
          // a device's own report: the message reached two endpoints (IMDN-TX-2 applies)
          const r = txSend(cache, st.status, `t${i}`, 2);
          if (r.effects.some((e) => e.kind === 'FWD_REQ')) out.push(st.status);
        }
      });
      assert.ok(out.filter((x) => x === 'delivered').length <= 1, out.join(' '));
      assert.ok(out.filter((x) => x === 'failed').length <= 1, out.join(' '));
      const d = out.indexOf('delivered');
      assert.ok(d < 0 || !out.slice(d + 1).includes('failed'), `a failed after a delivered: ${out.join(' ')}`);
    }),
    { numRuns: 300 },
  );
});

test('GEN-cache-2: generated failed, then b1 delivered → forwarded (positive after negative)', () => {
  const cache = new ImdnCache({ name: 'TX', ttlSec: 604800 });
  for (const e of gen({ kind: 'DELIVERY_FAILED' }).effects) cache.apply(e, NOW);
  assert.ok(txSend(cache, 'delivered', 't').effects.some((e) => e.kind === 'FWD_REQ'));
});

test('GEN-cache-3: generated failed, then b2 failed → DROP + 200', () => {
  const cache = new ImdnCache({ name: 'TX', ttlSec: 604800 });
  for (const e of gen({ kind: 'DELIVERY_FAILED' }).effects) cache.apply(e, NOW);
  const t = txSend(cache, 'failed', 't3');
  assert.ok(t.effects.some((e) => e.kind === 'DROP'));
});

function threeFailures(from: string, policy: PolicyOverrides) {
  let buffers: GenBuffers = {};
  const effects: Effect[] = [];
  for (let i = 0; i < 3; i++) {
    const r = gen({ kind: 'DELIVERY_FAILED' }, { orig: original({ from, id: `m${i}` }), policy, buffers, n: i });
    buffers = r.buffers;
    effects.push(...r.effects);
  }
  const timer = effects.find((e) => e.kind === 'START_TIMER');
  if (timer && timer.kind === 'START_TIMER') effects.push(...flushGeneratedImdns({ buffers, timer: timer.timer.name }).effects);
  return sent(effects).map((e) => {
    if (e.kind !== 'SEND_REQ') return 0;
    const ct = String(e.headers['Content-Type']);
    if (!ct.startsWith('multipart/')) return 1;
    const p = parseMultipart(ct, e.body ?? '');
    return p.ok ? p.value.length : -1;
  });
}

test('GEN-5: A in another network (domain), aggregation on → 3 separate MESSAGEs', () => {
  assert.deepEqual(threeFailures('<sip:alice@ims.other.example>', { homeDomains: ['ims.beta.example'], imdnAggregation: { enabled: true } }), [1, 1, 1]);
});

test('GEN-5-tel: tel: number outside the home ranges → 3 separate MESSAGEs', () => {
  assert.deepEqual(threeFailures('<tel:+4930123456>', { homeNumberRanges: ['+1555'], imdnAggregation: { enabled: true } }), [1, 1, 1]);
});

test('GEN-5-phone: user=phone URI with a home host but foreign number → judged by number → separate', () => {
  assert.deepEqual(
    threeFailures('<sip:+4930123456@ims.beta.example;user=phone>', { homeNumberRanges: ['+1555'], homeDomains: ['ims.beta.example'], imdnAggregation: { enabled: true } }),
    [1, 1, 1],
  );
});

test('GEN-6: same network, aggregation on → 1 MESSAGE with 3 parts', () => {
  assert.deepEqual(threeFailures('<sip:carol@ims.beta.example>', { homeDomains: ['ims.beta.example'], imdnAggregation: { enabled: true } }), [3]);
});

test('GEN-6-tel: tel: number inside the home ranges → may be aggregated: 1 MESSAGE with 3 parts', () => {
  assert.deepEqual(threeFailures('<tel:+15551239999>', { homeNumberRanges: ['+1555'], imdnAggregation: { enabled: true } }), [3]);
});

// An aggregate is one SIP request: its Conversation-ID / Contribution-ID must be true of every
// part, so notifications about messages of different conversations never share one.
test('GEN-6: property — every aggregated request carries the Conversation-ID and Contribution-ID of each of its parts; none is lost', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('conv-a', 'conv-b', 'conv-c'), { minLength: 1, maxLength: 12 }), fc.integer({ min: 2, max: 5 }), (convs, maxPerBody) => {
      const policy = { homeDomains: ['ims.beta.example'], imdnAggregation: { enabled: true, maxPerBody } };
      let buffers: GenBuffers = {};
      const effects: Effect[] = [];
      const convOf = new Map<string, string>();
      convs.forEach((conv, i) => {
        convOf.set(`m${i}`, conv);
        const r = gen({ kind: 'DELIVERY_FAILED' }, { orig: original({ from: '<sip:carol@ims.beta.example>', id: `m${i}`, conv }), policy, buffers, n: i });
        buffers = r.buffers;
        effects.push(...r.effects);
      });
      for (const name of new Set(effects.flatMap((e) => (e.kind === 'START_TIMER' ? [e.timer.name] : [])))) {
        const f = flushGeneratedImdns({ buffers, timer: name });
        buffers = f.buffers;
        effects.push(...f.effects);
      }
      const seen: string[] = [];
      for (const req of sent(effects)) {
        if (req.kind !== 'SEND_REQ') continue;
        const ct = String(req.headers['Content-Type']);
        const bodies = ct.startsWith('multipart/') ? (() => { const p = parseMultipart(ct, req.body ?? ''); assert.ok(p.ok); return p.value.map((x) => x.body); })() : [req.body ?? ''];
        for (const b of bodies) {
          const parsed = parseCpimImdn(b);
          assert.ok(parsed.ok);
          const id = parsed.value.imdn.messageId;
          seen.push(id);
          assert.equal(req.headers['Conversation-ID'], convOf.get(id), `part ${id} sent with another conversation's Conversation-ID`);
          assert.equal(req.headers['Contribution-ID'], `contrib-of-${convOf.get(id)}`);
        }
      }
      assert.deepEqual(seen.sort(), [...convOf.keys()].sort(), 'each failure reported exactly once');
    }),
    { numRuns: 200 },
  );
});

test('GEN-6x: same network, aggregation off → 3 MESSAGEs', () => {
  assert.deepEqual(threeFailures('<sip:carol@ims.beta.example>', { homeDomains: ['ims.beta.example'] }), [1, 1, 1]);
});

test('GEN-7: recording on → a generated IMDN is never stored', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' }, { policy: { recordingEnabled: true } });
  assert.equal(r.effects.some((e) => e.kind === 'RECORD_OBJECT'), false);
  assert.ok(sent(r.effects).length === 1);
});

test('TX-4-gen: a PF-generated IMDN (GEN-1) is not recorded', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' }, { policy: { recordingEnabled: true, checkXdmsForImdnStorage: true } });
  assert.deepEqual(r.effects.map((e) => e.kind), ['CACHE_PUT', 'SEND_REQ']);
});

test('GEN-route-1: one IMDN-Record-Route → Request-URI from it and one imdn.IMDN-Route', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' }, { orig: original({ extra: ['imdn.IMDN-Record-Route: <sip:im-relay@a.example>'] }) });
  const { req, cpim } = body(r.effects);
  assert.equal(req.kind === 'SEND_REQ' && req.uri, 'sip:im-relay@a.example');
  assert.deepEqual(imdnHeaderValues(cpim, 'IMDN-Route'), ['<sip:im-relay@a.example>']);
});

test('GEN-route-2: no IMDN-Record-Route → Request-URI is the original CPIM From; no IMDN-Route', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' }, { orig: original({ from: '<sip:+15551230001@a.example>' }) });
  const { req, cpim } = body(r.effects);
  assert.equal(req.kind === 'SEND_REQ' && req.uri, 'sip:+15551230001@a.example');
  assert.deepEqual(imdnHeaderValues(cpim, 'IMDN-Route'), []);
});

test('GEN-route-3: two IMDN-Record-Route headers → copied in order; Request-URI = the first', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' }, { orig: original({ extra: ['imdn.IMDN-Record-Route: <sip:r1@a.example>', 'imdn.IMDN-Record-Route: <sip:r2@b.example>'] }) });
  const { req, cpim } = body(r.effects);
  assert.deepEqual(imdnHeaderValues(cpim, 'IMDN-Route'), ['<sip:r1@a.example>', '<sip:r2@b.example>']);
  assert.equal(req.kind === 'SEND_REQ' && req.uri, 'sip:r1@a.example');
});

test('GEN-fmt-1: imdn.Original-To becomes <original-recipient-uri>', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' }, { orig: original({ extra: ['imdn.Original-To: <sip:team@b.example>'] }) });
  const { req } = body(r.effects);
  assert.match(String(req.kind === 'SEND_REQ' && req.body), /<original-recipient-uri>sip:team@b\.example<\/original-recipient-uri>/);
  const r2 = gen({ kind: 'DELIVERY_FAILED' });
  assert.match(String(sent(r2.effects)[0].kind === 'SEND_REQ' && (sent(r2.effects)[0] as { body?: string }).body), new RegExp(`<original-recipient-uri>${B.replace(/[.+]/g, '\\$&')}</original-recipient-uri>`));
});

test('GEN-fmt-2: inner Content-Disposition notification, message/imdn+xml, SIP message/cpim, Conversation-/Contribution-ID copied', () => {
  const r = gen({ kind: 'DELIVERY_FAILED' });
  const { req, cpim } = body(r.effects);
  assert.equal(contentHeader(cpim, 'Content-Disposition'), 'notification');
  assert.equal(cpim.contentType, 'message/imdn+xml');
  assert.equal(Number(contentHeader(cpim, 'Content-Length')), new TextEncoder().encode(cpim.body).length);
  if (req.kind !== 'SEND_REQ') return;
  assert.equal(req.headers['Content-Type'], 'message/cpim');
  assert.equal(req.headers['Conversation-ID'], 'conv-5');
  assert.equal(req.headers['Contribution-ID'], 'contrib-5');
  assert.equal(req.headers['P-Asserted-Service'], CPM_ICSI.session);
});
