// Topology: the PF_TOPOLOGY_FILE format, who a source is (client, peer, unknown) and where a
// client's originating request goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Registrar } from './registrar';
import { hostPortOf, parseTopologyFile, Topology } from './topology';

const registrar = {
  contacts: (aor: string) =>
    aor === 'sip:alice@example.com' ? [{ aor, contact: 'sip:alice@10.0.0.5:5070', featureTags: '', source: 'udp/10.0.0.5:40000', expiresAt: Infinity }] : [],
} as unknown as Registrar;

function topology(trust: 'open' | 'peers' = 'peers'): Topology {
  const t = new Topology(registrar, trust);
  const file = parseTopologyFile(JSON.stringify({
    peers: [
      { role: 'CF', name: 'cf', address: '10.1.0.1:5060' },
      { role: 'IWF', name: 'sms', address: 'sip:iwf.example.net:5080', iwfSide: 'REMOTE' },
      { role: 'REMOTE_PF', name: 'other', address: '10.2.0.1' },
    ],
    routes: [{ match: '^sip:group-', peer: 'cf' }],
    defaultPeer: 'other',
  }));
  // what load() would read back from the Peer table
  t.configure(file.peers, file);
  return t;
}

test('topology: the file format is validated with the offending peer named', () => {
  assert.throws(() => parseTopologyFile('{"peers":[{"role":"PROXY","name":"p","address":"1.2.3.4"}]}'), /peer "p" has role "PROXY"/);
  assert.throws(() => parseTopologyFile('{}'), /"peers" must be an array/);
  assert.equal(hostPortOf('<sip:group1@CF.example.net;transport=tcp>'), 'cf.example.net:5060');
  assert.equal(hostPortOf('sip:10.0.0.1:5070'), '10.0.0.1:5070');
});

test('topology: classifySource tells clients, peers (by address or URI, default port 5060) and strangers apart', () => {
  const t = topology();
  assert.deepEqual(t.classifySource({ host: '10.1.0.1', port: 5060, now: 0 }), { kind: 'PEER', peer: t.byName('cf') });
  assert.equal(t.classifySource({ host: '10.2.0.1', port: 5060, now: 0 }).kind, 'PEER');
  assert.equal(t.classifySource({ host: '10.9.9.9', port: 1, contact: '<sip:iwf.example.net:5080>', now: 0 }).kind, 'PEER');
  assert.deepEqual(t.classifySource({ host: '10.0.0.5', port: 40000, from: '<sip:alice@example.com>;tag=1', now: 0 }), { kind: 'CLIENT', aor: 'sip:alice@example.com' });
  assert.deepEqual(t.classifySource({ host: '10.0.0.5', port: 5070, from: '<sip:alice@example.com>;tag=1', contact: '<sip:alice@10.0.0.5:5070>', now: 0 }), { kind: 'CLIENT', aor: 'sip:alice@example.com' });
  const stranger = t.classifySource({ host: '10.0.0.5', port: 5070, from: '<sip:mallory@example.com>', now: 0 });
  assert.equal(stranger.kind, 'UNKNOWN');
  assert.equal(t.admits(stranger), false, 'PF_TRUST=peers refuses strangers');
  assert.equal(topology('open').admits(stranger), true);
});

test('topology: originating requests go to the peer named by the Request-URI, a route, or the default', () => {
  const t = topology();
  assert.equal(t.routeFor('sip:group-42@conf.example.net')?.name, 'cf');
  assert.equal(t.routeFor('sip:anyone@iwf.example.net:5080')?.name, 'sms');
  assert.equal(t.routeFor('sip:bob@example.org')?.name, 'other');
  assert.equal(Topology.targetOf(t.byName('other')!), 'sip:10.2.0.1');
});
