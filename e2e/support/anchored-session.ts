// A 1-1 session through the PF whose offer carries MSRP with a=path, as a real CPM client makes:
// alice's client (a SipUa) registers and invites bob@example.net, routed to bob's PF (another
// SipUa) that answers with its own MSRP endpoint. The MSRP ends are MsrpPeers; nothing is
// connected yet, so a test can look at the SDP the PF wrote before the media starts, then call
// `connectMedia` for both MSRP connections through the PF.
import assert from 'node:assert/strict';
import { MsrpPeer } from './msrp-peer';
import { SipUa, msrpOffer } from './sip-ua';
import { readMsrpMedia } from '../../server/msrp/sdp';
import { ALICE, SESSION_ICSI, startSessionPf } from '../sipp/session/session-harness';

export async function startAnchoredOneToOne(conversation: string) {
  const net = await SipUa.start('bob-pf');
  const h = await startSessionPf({
    topology: { peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${net.port}` }], routes: [{ match: '@example\\.net', peer: 'bob-pf' }] },
  });
  const client = await SipUa.start('alice');
  const alicePeer = await MsrpPeer.start('alice');
  const bobPeer = await MsrpPeer.start('bob');
  const close = async () => {
    await alicePeer.close();
    await bobPeer.close();
    await client.close();
    await net.close();
    await h.stop();
  };
  try {
    // bob's side answers without a=setup (RFC 4975: the offerer, the PF, connects)
    net.answerSdp = () => msrpOffer(bobPeer.path);
    assert.equal(await client.register(h.pf.sipAddress.port, ALICE), 200);
    const r = await client.invite(h.pf.sipAddress.port, {
      uri: 'sip:bob@example.net', from: ALICE,
      headers: [`Accept-Contact: *;+g.3gpp.icsi-ref="${SESSION_ICSI}"`, `Contribution-ID: c-${conversation}`, `Conversation-ID: conv-${conversation}`],
      sdp: msrpOffer(alicePeer.path),
    });
    assert.equal(r.status, 200);
    /** alice's peer connects to the PF's endpoint of her answer, bob's takes the PF's connection; returns the INVITE bob's PF got */
    const connectMedia = async () => {
      const [invite] = await net.waitFor('INVITE');
      alicePeer.remotePath = readMsrpMedia(r.sdp)!.path;
      assert.equal((await alicePeer.connect()).code, 200);
      await bobPeer.accepted();
      bobPeer.remotePath = readMsrpMedia(invite.body.toString())!.path;
      return invite;
    };
    return { h, net, client, alicePeer, bobPeer, r, close, connectMedia };
  } catch (e) {
    await close();
    throw e;
  }
}
