import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeToCore, type CoreRouteInput } from './core-route';

const base: CoreRouteInput = { servedUser: 'sip:bob@example.com', target: 'sip:x@far.net', targetHost: 'far.net', ownDomains: ['example.com'], targetServed: false, txn: 't' };
const outcome = (i: Partial<CoreRouteInput>) => {
  const r = routeToCore({ ...base, ...i });
  const e = r.effects[0];
  return [r.decisions[0].branch, e.kind === 'SEND_RESP' ? e.code : e.kind];
};

test('CORE-1..4: every originating request to a non-served target is forwarded or answered, with a decision', () => {
  assert.deepEqual(outcome({ outboundProxy: 'proxy:5060' }), ['CORE-1', 'FWD_REQ']);
  assert.deepEqual(outcome({ hostResolves: true }), ['CORE-1', 'FWD_REQ']);
  assert.deepEqual(outcome({ hostResolves: false }), ['CORE-4', 404]);
  assert.deepEqual(outcome({ hostResolves: false, outboundProxy: 'proxy:5060' }), ['CORE-1', 'FWD_REQ']);
  // the own domain: without a core nobody is there but this PF's users; with one, the core decides
  assert.deepEqual(outcome({ target: 'sip:dave@example.com', targetHost: 'example.com' }), ['CORE-2', 404]);
  assert.deepEqual(outcome({ target: 'sip:dave@example.com', targetHost: 'example.com', outboundProxy: 'proxy:5060' }), ['CORE-1', 'FWD_REQ']);
  assert.deepEqual(outcome({ target: 'tel:+15550100', targetHost: undefined }), ['CORE-3', 416]);
  // one of this PF's own users: the terminating path takes it, and its decisions explain it
  const own = routeToCore({ ...base, target: 'sip:alice@example.com', targetHost: 'example.com', targetServed: true });
  assert.deepEqual([own.effects, own.decisions], [[{ kind: 'FWD_REQ', toLeg: 'core' }], []]);
});
