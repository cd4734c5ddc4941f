// The MSRP end of a SIPp peer (issue 15, D-265). SIPp speaks no MSRP, so it carries only the SIP
// signalling: its SDP names this peer's a=path and port (scenario keys [msrp_path], [msrp_port])
// with a=setup:passive, so the PF connects to the peer whichever side offered (D-161), and the test
// sends and reads the SENDs and REPORTs through the peer while SIPp holds the dialog.
import { MsrpPeer, until } from './msrp-peer';
import { startSipp, type SippBackground, type SippOptions } from './sipp';

export interface SippMsrp {
  peer: MsrpPeer;
  /** -key values for the scenario's SDP */
  keys: { msrp_port: string; msrp_path: string };
  /** Waits for the PF's connection and points the peer at the PF's URI for this leg (the From-Path of the PF's first SEND, its binding one). */
  bound(ms?: number): Promise<MsrpPeer>;
}

export async function startSippMsrp(name: string): Promise<SippMsrp> {
  const peer = await MsrpPeer.start(name);
  return {
    peer,
    keys: { msrp_port: /:(\d+)\//.exec(peer.path)![1], msrp_path: peer.path },
    async bound(ms = 8000) {
      await until(() => peer.requests().length > 0, `${name}: the PF's connection and binding SEND`, ms);
      peer.remotePath = peer.requests()[0].fromPath;
      return peer;
    },
  };
}

/** A SIPp peer in the background whose scenario names its own MSRP peer (its keys merged in); stopping the SIPp closes the peer. */
export async function startSippWithMsrp(o: SippOptions, name = 'dev'): Promise<SippBackground & { msrp: SippMsrp }> {
  const msrp = await startSippMsrp(name);
  // a test may leave a SIPp that ended by itself unstopped: its peer must not hold the process
  msrp.peer.unref();
  const bg = startSipp({ ...o, keys: { ...msrp.keys, ...o.keys } });
  return {
    msrp,
    done: bg.done,
    async stop() {
      try {
        return await bg.stop();
      } finally {
        await msrp.peer.close();
      }
    },
  };
}

/** A CPIM message as a client writes it (RFC 3862 with the IMDN namespace). */
export function cpim(o: { from: string; to: string; id: string; type?: string; body: string; dn?: string }): Buffer {
  const type = o.type ?? 'text/plain; charset=utf-8';
  return Buffer.from(
    [
      `From: <${o.from}>`, `To: <${o.to}>`, 'NS: imdn <urn:ietf:params:imdn>', `imdn.Message-ID: ${o.id}`, 'DateTime: 2026-11-23T10:00:00Z',
      ...(o.dn ? [`imdn.Disposition-Notification: ${o.dn}`] : []), '', `Content-Type: ${type}`,
      ...(type.startsWith('message/imdn') ? ['Content-Disposition: notification'] : []), '', o.body,
    ].join('\r\n'),
  );
}

/** A disposition notification for `messageId` (the IMDN XML status element given whole). */
export function imdnXml(messageId: string, report: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${messageId}</message-id><datetime>2026-11-23T10:00:01Z</datetime>${report}</imdn>`;
}
