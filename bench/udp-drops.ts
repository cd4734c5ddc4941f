// The kernel's count of UDP datagrams dropped because a socket's receive buffer was full
// (RcvbufErrors in /proc/net/snmp; Linux only, null elsewhere). It counts every socket on the
// machine: read around a load run, it says whether requests or answers were lost before any
// process read them, on whichever side. A SIPp retransmission in a run with no such drop is a slow
// answer; with drops it may be a lost datagram (D-333).
import { readFileSync } from 'node:fs';

/** RcvbufErrors from the text of /proc/net/snmp: its `Udp:` header line names the columns of the next one */
export function rcvbufErrorsFrom(snmp: string): number | null {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return null;
  const i = lines[0].trim().split(/\s+/).indexOf('RcvbufErrors');
  const v = i > 0 ? Number(lines[1].trim().split(/\s+/)[i]) : NaN;
  return Number.isSafeInteger(v) && v >= 0 ? v : null;
}

export function udpReceiveBufferDrops(): number | null {
  try {
    return rcvbufErrorsFrom(readFileSync('/proc/net/snmp', 'utf8'));
  } catch {
    return null;
  }
}
