// Wireshark's own reading of a pcap file (tshark, Debian package `tshark`): one row per SIP
// message it dissects, with the method (a response's CSeq method), status, Call-ID and transport.
import { spawnSync } from 'node:child_process';

export interface TsharkSip {
  method: string;
  /** empty for requests */
  status: string;
  callId: string;
  transport: 'udp' | 'tcp';
}

// Test ports are random, and a port another protocol registers would be dissected as that
// protocol (UDP 27951 read as Quake 3 failed the session-real spec once): SIP's own heuristic
// dissectors are asked first, before any protocol chosen by port.
const SIP_FIRST = ['--enable-heuristic', 'sip_udp', '--enable-heuristic', 'sip_tcp', '-o', 'udp.try_heuristic_first:TRUE', '-o', 'tcp.try_heuristic_first:TRUE'];

export function tsharkSip(file: string): TsharkSip[] {
  const r = spawnSync('tshark', ['-r', file, ...SIP_FIRST, '-Y', 'sip', '-T', 'fields', '-E', 'separator=|', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.Call-ID', '-e', 'sip.CSeq.method', '-e', 'ip.proto'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark could not read ${file}: ${r.stderr || r.error?.message}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((line) => {
    const [method, status, callId, cseqMethod, proto] = line.split('|');
    return { method: method || cseqMethod, status, callId, transport: proto === '6' ? 'tcp' : 'udp' };
  });
}
