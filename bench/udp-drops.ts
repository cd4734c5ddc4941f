// The kernel's count of UDP datagrams dropped because a socket's receive buffer was full
// (RcvbufErrors in /proc/net/snmp; Linux only, null elsewhere). It counts every socket on the
// machine: read around a load run, it says whether requests or answers were lost before any
// process read them, on whichever side. A SIPp retransmission in a run with no such drop is a slow
// answer; with drops it may be a lost datagram (D-333).
import { readFileSync } from 'node:fs';

export function udpReceiveBufferDrops(): number | null {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    if (lines.length < 2) return null;
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    const i = names.indexOf('RcvbufErrors');
    return i > 0 ? Number(values[i]) : null;
  } catch {
    return null;
  }
}
