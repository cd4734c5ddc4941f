import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY } from '../policy';
import fc from 'fast-check';
import { deliverDeferredImdns, deliverImdn, imdnForkOutcome, type ImdnDelivery } from './deliver';
import { flushImdnAggregate, type AggregationBuffers } from './aggregate';
import { ImdnCache } from './cache';
import { receiveImdn } from './receive';
import { ALICE, BOB_PHONE, imdnMessage } from './fixtures';
import type { ClientRegistration } from './registration';
import type { OriginalLocator } from './store-imdn';
import { withPolicy, type PolicyOverrides } from '../policy';
import { folderLabel, type DeferredItem, type Effect } from '../effects';
import type { MessageIndexEntry, UserPrefs } from '../model';
import { CPM_ICSI } from '../parse/feature-tags';
import { parseMultipart } from '../parse/multipart';
import type { SipMessageView } from '../message';

const NOW = 1_700_000_000_000;
const NO_RULE: UserPrefs = { allowOfflineStorage: false, allowStore: false, allowDefer: true, hasCpmOfflineStorageRule: false, source: 'XDMS' };
const RULE: UserPrefs = { ...NO_RULE, allowOfflineStorage: true, hasCpmOfflineStorageRule: true };

const reg = (contact: string, opts: Partial<ClientRegistration> = {}): ClientRegistration => ({
  contact,
  icsis: [CPM_ICSI.session, CPM_ICSI.msg, CPM_ICSI.filetransfer],
  imdnAggregation: false,
  ...opts,
});
const A1 = 'sip:a1@192.0.2.10:5060';
const A2 = 'sip:a2@192.0.2.11:5060';

const FOLDERS: Record<string, string> = { m1: 'conv-1/sess-1', msa: 'conv-X', mft: 'conv-1/ft-Y' };
const locator = (folders: Record<string, string> = FOLDERS, conv: Record<string, string> = {}): OriginalLocator => ({
  folderOfOriginal: (id) => folders[id],
  conversationFolder: (c) => conv[c],
});

function incoming(messageId = 'm1', status = 'delivered', extra: Record<string, string[]> = {}): SipMessageView {
  return imdnMessage({
    from: BOB_PHONE,
    messageId,
    type: 'delivery',
    status,
    headers: { 'conversation-id': ['conv-1'], 'contribution-id': ['contrib-1'], 'p-asserted-service': [CPM_ICSI.session], ...extra },
  });
}

/** kind null: the original is not in the MessageIndex (sent before a restart, or by another path) */
function rx(message: SipMessageView, kind: MessageIndexEntry['kind'] | null = 'CHAT', cache = new ImdnCache({ name: 'RX', ttlSec: 604800 })) {
  return receiveImdn({
    servedUser: ALICE,
    message,
    cache,
    messageIndex: () => (kind === null ? undefined : { kind, sessionId: 'S', requested: [] }),
    session: () => ({ isComposingFrom: [] }),
    policy: withPolicy(),
    now: NOW,
    txn: 'in1',
  });
}

function start(opts: { regs: ClientRegistration[]; policy?: PolicyOverrides; prefs?: UserPrefs; message?: SipMessageView; kind?: MessageIndexEntry['kind'] | null; buffers?: AggregationBuffers; id?: string; txn?: string }) {
  const message = opts.message ?? incoming();
  const r = rx(message, opts.kind);
  return deliverImdn({
    deliveryId: opts.id ?? 'd1',
    servedUser: ALICE,
    txn: opts.txn ?? 'in1',
    message,
    parts: r.forward,
    registrations: opts.regs,
    prefs: opts.prefs ?? NO_RULE,
    policy: withPolicy(opts.policy),
    now: NOW,
    buffers: opts.buffers,
  });
}

function outcome(d: ImdnDelivery, forkId: string, code: number | 'timeout', opts: { prefs?: UserPrefs; policy?: PolicyOverrides; loc?: OriginalLocator } = {}) {
  return imdnForkOutcome({
    delivery: d,
    forkId,
    code: code === 'timeout' ? undefined : code,
    timedOut: code === 'timeout',
    prefs: opts.prefs ?? NO_RULE,
    policy: withPolicy(opts.policy),
    locator: opts.loc ?? locator(),
    now: NOW,
  });
}

const kinds = (effects: Effect[]) => effects.map((e) => e.kind);
const resp = (effects: Effect[]) => effects.filter((e) => e.kind === 'SEND_RESP').map((e) => (e.kind === 'SEND_RESP' ? e.code : 0));

test('DLV-1: fork to a1 and a2; the incoming MESSAGE gets the first 2xx only', () => {
  const s = start({ regs: [reg(A1), reg(A2)] });
  const reqs = s.effects.filter((e) => e.kind === 'SEND_REQ');
  assert.deepEqual(reqs.map((e) => e.kind === 'SEND_REQ' && e.uri), [A1, A2]);
  assert.equal(resp(s.effects).length, 0);
  assert.equal(s.decisions[0].branch, 'IMDN-DLV-1');
  const first = reqs[0].kind === 'SEND_REQ' ? reqs[0] : undefined;
  assert.equal(first?.headers['Content-Type'], 'message/cpim');
  assert.equal(first?.headers['Conversation-ID'], 'conv-1');
  assert.ok(first?.body?.includes('<message-id>m1</message-id>'));
  const o1 = outcome(s.delivery!, 'd1:1', 200);
  assert.deepEqual(o1.effects, [{ kind: 'SEND_RESP', txn: 'in1', code: 200, reason: 'OK' }]);
  const o2 = outcome(o1.delivery, 'd1:0', 200);
  assert.equal(resp(o2.effects).length, 0, 'no second answer');
});

test('DLV-1: a client without the original service ICSI is not suitable', () => {
  const s = start({ regs: [reg(A1, { icsis: [CPM_ICSI.msg] }), reg(A2)], kind: 'CHAT' });
  assert.deepEqual(s.effects.filter((e) => e.kind === 'SEND_REQ').map((e) => e.kind === 'SEND_REQ' && e.uri), [A2]);
});

// The original is unknown and there is no P-Asserted-Service: the ICSI the IMDN carries in
// Accept-Contact (DSP-1a: an IMDN travels with the ICSI of the original service) says which
// clients can take it, not a blanket 'msg'.
function unknownOriginal(icsi: string, opts: { pas?: boolean } = {}): SipMessageView {
  const m = imdnMessage({ from: BOB_PHONE, messageId: 'm9', type: 'delivery', status: 'delivered', headers: { 'conversation-id': ['conv-1'] } });
  const headers: Record<string, string[]> = { ...m.headers, 'accept-contact': [`*;+g.3gpp.icsi-ref="${icsi.replace(/:/g, '%3A')}"`] };
  if (opts.pas) headers['p-asserted-service'] = [icsi];
  return { ...m, headers };
}

test('DLV-1: original unknown, no P-Asserted-Service: the Accept-Contact ICSI picks the suitable clients (a chat-only client gets a chat IMDN)', () => {
  const chatOnly = reg(A1, { icsis: [CPM_ICSI.session] });
  const pagerOnly = reg(A2, { icsis: [CPM_ICSI.msg] });
  const s = start({ regs: [chatOnly, pagerOnly], message: unknownOriginal(CPM_ICSI.session), kind: null });
  assert.deepEqual(s.effects.filter((e) => e.kind === 'SEND_REQ').map((e) => e.kind === 'SEND_REQ' && e.uri), [A1], 'delivered to the chat client, not deferred');
  assert.equal(s.decisions.find((d) => d.branch === 'IMDN-DLV-1')?.inputs.service, 'session');
});

test('DLV-1: property — with the original unknown, a client is suitable exactly when it registered the ICSI the IMDN carries (Accept-Contact or P-Asserted-Service), or no CPM ICSI at all (D-111)', () => {
  const services = ['msg', 'session', 'filetransfer'] as const;
  fc.assert(
    fc.property(fc.constantFrom(...services), fc.subarray([...services]), fc.boolean(), (carried, registered, pas) => {
      const client = reg(A1, { icsis: registered.map((x) => CPM_ICSI[x]) });
      const s = start({ regs: [client], message: unknownOriginal(CPM_ICSI[carried], { pas }), kind: null });
      const sent = s.effects.some((e) => e.kind === 'SEND_REQ');
      const suitable = registered.includes(carried) || registered.length === 0;
      assert.equal(sent, suitable, `${carried} → ${registered.join(',')}`);
      assert.equal(s.effects.some((e) => e.kind === 'DEFER'), !suitable);
      // the deferred path (DLV-2c) judges the same way when the client registers later
      const items = s.effects.flatMap((e) => (e.kind === 'DEFER' ? [e.item] : []));
      for (const item of items) {
        const again = deliverDeferredImdns({ deliveryId: 'r', servedUser: ALICE, items: [item], registration: reg(A2, { icsis: [CPM_ICSI[carried]] }), policy: DEFAULT_POLICY });
        assert.equal(again.deliveries.length, 1);
      }
    }),
    { numRuns: 200 },
  );
});

test('DLV-2: no registration → DEFER and 202', () => {
  const s = start({ regs: [] });
  assert.deepEqual(kinds(s.effects), ['DEFER', 'SEND_RESP']);
  assert.deepEqual(resp(s.effects), [202]);
  const d = s.effects[0];
  assert.equal(d.kind === 'DEFER' && d.item.kind, 'IMDN');
  assert.equal(d.kind === 'DEFER' && d.item.messageId, 'm1');
  assert.equal(s.decisions[0].branch, 'IMDN-DLV-2');
});

test('RX-resp-defer: a forwarded IMDN with no client of A reachable is answered 202 after DEFER', () => {
  const s = start({ regs: [] });
  const di = s.effects.findIndex((e) => e.kind === 'DEFER');
  const ri = s.effects.findIndex((e) => e.kind === 'SEND_RESP');
  assert.ok(di >= 0 && ri > di);
  assert.deepEqual(resp(s.effects), [202]);
});

test('DLV-2b: a1 answers 480 → DEFER and 202', () => {
  const s = start({ regs: [reg(A1)] });
  const o = outcome(s.delivery!, 'd1:0', 480);
  assert.deepEqual(kinds(o.effects), ['DEFER', 'SEND_RESP']);
  assert.deepEqual(resp(o.effects), [202]);
});

test('DLV-2d: a1 answers 408, a2 times out → DEFER and 202', () => {
  const s = start({ regs: [reg(A1), reg(A2)] });
  const o1 = outcome(s.delivery!, 'd1:0', 408);
  assert.equal(o1.effects.length, 0, 'waits for a2');
  const o2 = outcome(o1.delivery, 'd1:1', 'timeout');
  assert.deepEqual(kinds(o2.effects), ['DEFER', 'SEND_RESP']);
  assert.deepEqual(resp(o2.effects), [202]);
});

test('DLV-2e: a1 answers 403 → no DEFER, incoming answered 403', () => {
  const s = start({ regs: [reg(A1)] });
  const o = outcome(s.delivery!, 'd1:0', 403);
  assert.deepEqual(kinds(o.effects), ['SEND_RESP']);
  assert.deepEqual(resp(o.effects), [403]);
  assert.equal(o.decisions[0].outcome, 'FAILED');
});

test('DLV-2c: a deferred IMDN is delivered when a1 registers', () => {
  const s = start({ regs: [] });
  const items = s.effects.flatMap((e) => (e.kind === 'DEFER' ? [e.item] : []));
  const r = deliverDeferredImdns({ deliveryId: 'r1', servedUser: ALICE, items, registration: reg(A1), policy: DEFAULT_POLICY });
  assert.equal(r.deliveries.length, 1);
  const req = r.effects[0];
  assert.equal(req.kind === 'SEND_REQ' && req.uri, A1);
  assert.equal(req.kind === 'SEND_REQ' && req.body, items[0].body);
  assert.equal(r.decisions[0].branch, 'IMDN-DLV-2');
});

test('DLV-3: aggregation on, a1 tagged, 3 IMDNs within the window → one multipart MESSAGE with 3 parts; each incoming answered 202', () => {
  let buffers: AggregationBuffers = {};
  const all: Effect[] = [];
  for (const [i, mid] of ['m1', 'm2', 'm3'].entries()) {
    const s = start({ regs: [reg(A1, { imdnAggregation: true })], policy: { imdnAggregation: { enabled: true } }, message: incoming(mid), buffers, id: `d${i}`, txn: `in${i}` });
    assert.deepEqual(resp(s.effects), [202]);
    assert.equal(s.effects.some((e) => e.kind === 'SEND_REQ'), false);
    buffers = s.buffers;
    all.push(...s.effects);
  }
  const timers = all.filter((e) => e.kind === 'START_TIMER');
  assert.equal(timers.length, 1);
  const f = flushImdnAggregate({ buffers, timer: timers[0].kind === 'START_TIMER' ? timers[0].timer.name : '', deliveryId: 'f1' });
  const req = f.effects[0];
  assert.equal(req.kind, 'SEND_REQ');
  if (req.kind !== 'SEND_REQ') return;
  const parts = parseMultipart(String(req.headers['Content-Type']), req.body ?? '');
  assert.ok(parts.ok);
  assert.equal(parts.value.length, 3);
  assert.ok(parts.value.every((p) => p.contentType === 'message/cpim'));
  assert.deepEqual(Object.keys(f.buffers), []);
});

test('DLV-3-max: maxPerBody=10 and 12 IMDNs → two MESSAGEs with 10 and 2 parts', () => {
  let buffers: AggregationBuffers = {};
  const sent: Effect[] = [];
  let timer = '';
  for (let i = 0; i < 12; i++) {
    const s = start({ regs: [reg(A1, { imdnAggregation: true })], policy: { imdnAggregation: { enabled: true, maxPerBody: 10 } }, message: incoming(`m${i}`), buffers, id: `d${i}` });
    buffers = s.buffers;
    sent.push(...s.effects.filter((e) => e.kind === 'SEND_REQ'));
    for (const e of s.effects) if (e.kind === 'START_TIMER') timer = e.timer.name;
  }
  const f = flushImdnAggregate({ buffers, timer, deliveryId: 'f' });
  sent.push(...f.effects.filter((e) => e.kind === 'SEND_REQ'));
  const counts = sent.map((e) => {
    if (e.kind !== 'SEND_REQ') return 0;
    const ct = String(e.headers['Content-Type']);
    if (!ct.startsWith('multipart/')) return 1;
    const p = parseMultipart(ct, e.body ?? '');
    return p.ok ? p.value.length : -1;
  });
  assert.deepEqual(counts, [10, 2]);
});

test('DLV-3x: aggregation enabled but a1 has no tag → 3 individual MESSAGEs', () => {
  let n = 0;
  for (const mid of ['m1', 'm2', 'm3']) {
    const s = start({ regs: [reg(A1)], policy: { imdnAggregation: { enabled: true } }, message: incoming(mid) });
    n += s.effects.filter((e) => e.kind === 'SEND_REQ' && e.headers['Content-Type'] === 'message/cpim').length;
    assert.ok(s.decisions.some((d) => d.branch === 'IMDN-DLV-3x'));
  }
  assert.equal(n, 3);
});

test('DLV-3-off: aggregation disabled → 3 individual MESSAGEs even to a tagged client', () => {
  let n = 0;
  for (const mid of ['m1', 'm2', 'm3']) {
    const s = start({ regs: [reg(A1, { imdnAggregation: true })], message: incoming(mid) });
    n += s.effects.filter((e) => e.kind === 'SEND_REQ').length;
    assert.equal(s.effects.some((e) => e.kind === 'START_TIMER'), false);
  }
  assert.equal(n, 3);
});

function storedFolders(effects: Effect[]): string[] {
  return effects.flatMap((e) => (e.kind === 'RECORD_OBJECT' ? [folderLabel(e.folder)] : []));
}

test('DLV-4a-xdms: CPM offline-storage rule; a1 accepts → RECORD_OBJECT in the session folder of m1 after the 2xx', () => {
  const s = start({ regs: [reg(A1)], prefs: RULE });
  assert.deepEqual(storedFolders(s.effects), [], 'nothing stored before a client accepts');
  const o = outcome(s.delivery!, 'd1:0', 200, { prefs: RULE });
  assert.deepEqual(kinds(o.effects), ['SEND_RESP', 'RECORD_OBJECT']);
  assert.deepEqual(storedFolders(o.effects), ['conv-1/sess-1']);
  const rec = o.effects[1];
  assert.equal(rec.kind === 'RECORD_OBJECT' && rec.object.kind, 'IMDN');
  assert.equal(rec.kind === 'RECORD_OBJECT' && rec.object.headers['Message-Direction'], 'received');
  assert.equal(rec.kind === 'RECORD_OBJECT' && rec.object.headers['Conversation-ID'], 'conv-1');
  assert.equal(o.decisions.find((d) => d.branch === 'IMDN-DLV-4a')?.outcome, 'STORE');
});

test('DLV-4a-sa: STANDALONE original stored in conversation folder X → IMDN stored in X', () => {
  const s = start({ regs: [reg(A1)], prefs: RULE, message: incoming('msa'), kind: 'STANDALONE' });
  assert.deepEqual(storedFolders(outcome(s.delivery!, 'd1:0', 200, { prefs: RULE }).effects), ['conv-X']);
});

test('DLV-4a-ft: file-transfer original with history object in folder Y → stored in Y', () => {
  const s = start({ regs: [reg(A1)], prefs: RULE, message: incoming('mft'), kind: 'FT' });
  assert.deepEqual(storedFolders(outcome(s.delivery!, 'd1:0', 200, { prefs: RULE }).effects), ['conv-1/ft-Y']);
});

test('DLV-4a-rec: no XDMS rule but recordingEnabled → stored', () => {
  const s = start({ regs: [reg(A1)] });
  assert.deepEqual(storedFolders(outcome(s.delivery!, 'd1:0', 200, { policy: { recordingEnabled: true } }).effects), ['conv-1/sess-1']);
});

test('DLV-4-chkoff: rule present but checkXdmsForImdnStorage=false, recording off → not stored', () => {
  const s = start({ regs: [reg(A1)], prefs: RULE });
  const o = outcome(s.delivery!, 'd1:0', 200, { prefs: RULE, policy: { checkXdmsForImdnStorage: false } });
  assert.deepEqual(storedFolders(o.effects), []);
  assert.ok(o.decisions.some((d) => d.branch === 'IMDN-DLV-4c'));
});

test('DLV-4b: rule present, no client reachable → no RECORD_OBJECT now; stored when the deferred delivery succeeds', () => {
  const s = start({ regs: [], prefs: RULE });
  assert.deepEqual(storedFolders(s.effects), []);
  assert.ok(s.decisions.some((d) => d.branch === 'IMDN-DLV-4b'));
  const items: DeferredItem[] = s.effects.flatMap((e) => (e.kind === 'DEFER' ? [e.item] : []));
  const r = deliverDeferredImdns({ deliveryId: 'r1', servedUser: ALICE, items, registration: reg(A1), policy: DEFAULT_POLICY });
  const o = outcome(r.deliveries[0], r.deliveries[0].forks[0].id, 200, { prefs: RULE });
  assert.deepEqual(storedFolders(o.effects), ['conv-1/sess-1']);
  assert.equal(resp(o.effects).length, 0, 'the original MESSAGE was answered 202 long ago');
});

test('DLV-4c: no rule, recording off → not stored', () => {
  const s = start({ regs: [reg(A1)] });
  const o = outcome(s.delivery!, 'd1:0', 200);
  assert.deepEqual(kinds(o.effects), ['SEND_RESP']);
  assert.ok(o.decisions.some((d) => d.branch === 'IMDN-DLV-4c'));
});

test('DLV-4d-conv: original not in store, conversation folder exists → stored there', () => {
  const s = start({ regs: [reg(A1)], prefs: RULE });
  const o = outcome(s.delivery!, 'd1:0', 200, { prefs: RULE, loc: locator({}, { 'conv-1': 'conv-1' }) });
  assert.deepEqual(storedFolders(o.effects), ['conv-1']);
  assert.ok(o.decisions.some((d) => d.branch === 'IMDN-DLV-4d' && d.outcome === 'STORE'));
});

test('DLV-4d-none: no folder at all → no storage, warning logged', () => {
  const s = start({ regs: [reg(A1)], prefs: RULE });
  const o = outcome(s.delivery!, 'd1:0', 200, { prefs: RULE, loc: locator({}, {}) });
  assert.deepEqual(storedFolders(o.effects), []);
  const d = o.decisions.find((x) => x.branch === 'IMDN-DLV-4d');
  assert.equal(d?.outcome, 'SKIP_STORAGE');
  assert.match(d?.summary ?? '', /Warning/);
});

test('DLV-4e: aggregated delivery of 3 IMDNs with storage on → 3 separate RECORD_OBJECTs', () => {
  let buffers: AggregationBuffers = {};
  let timer = '';
  for (const mid of ['m1', 'msa', 'mft']) {
    const s = start({ regs: [reg(A1, { imdnAggregation: true })], policy: { imdnAggregation: { enabled: true } }, prefs: RULE, message: incoming(mid), buffers });
    buffers = s.buffers;
    for (const e of s.effects) if (e.kind === 'START_TIMER') timer = e.timer.name;
  }
  const f = flushImdnAggregate({ buffers, timer, deliveryId: 'f1' });
  const o = outcome(f.delivery!, f.delivery!.forks[0].id, 200, { prefs: RULE });
  assert.deepEqual(storedFolders(o.effects), ['conv-1/sess-1', 'conv-X', 'conv-1/ft-Y']);
  assert.ok(o.decisions.some((d) => d.branch === 'IMDN-DLV-4e'));
});

test('DLV-5: an IMDN dropped by RX-2a-i is never stored', () => {
  const cache = new ImdnCache({ name: 'RX', ttlSec: 604800 });
  const first = rx(incoming(), 'CHAT', cache);
  for (const e of first.effects) cache.apply(e, NOW);
  const second = rx(incoming(), 'CHAT', cache);
  assert.equal(second.forward.length, 0);
  const s = deliverImdn({ deliveryId: 'x', servedUser: ALICE, txn: 'in2', message: incoming(), parts: second.forward, registrations: [reg(A1)], prefs: RULE, policy: withPolicy({ recordingEnabled: true }), now: NOW });
  assert.deepEqual(s.effects, []);
  assert.equal(second.effects.some((e) => e.kind === 'RECORD_OBJECT'), false);
});
