// The relays measured by `npm run bench -- msrp`, in their own process (so they get a core of
// their own, as the PF's listener would): the PF's MSRP listener and relay core (server/msrp,
// default limits, no session hooks) and, as the baseline, a plain TCP relay that pipes the bytes
// of two paired connections to each other without reading them. Driven over IPC by part-msrp.ts.
import net from 'node:net';
import { MsrpListener } from '../server/msrp/listener';

type Cmd = { cmd: 'session'; id: string; a: string; b: string } | { cmd: 'stop' };

async function main(): Promise<void> {
  const msrp = await MsrpListener.start({ host: '127.0.0.1', port: 0 });
  // baseline: a connection's first line "PAIR <id> <a|b>" pairs it; then bytes are piped as they come
  const waiting = new Map<string, net.Socket>();
  const plain = net.createServer((s) => {
    s.setNoDelay(true);
    let head = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const nl = head.indexOf('\n');
      if (nl < 0) return;
      s.off('data', onData);
      s.pause();
      const id = head.subarray(0, nl).toString().trim().split(' ')[1];
      const rest = head.subarray(nl + 1);
      const other = waiting.get(id);
      if (!other) {
        waiting.set(id, s);
        if (rest.length) s.unshift(rest);
        return;
      }
      waiting.delete(id);
      if (rest.length) other.write(rest);
      s.pipe(other);
      other.pipe(s);
      s.resume();
      other.resume();
    };
    s.on('data', onData);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  process.on('message', (m: Cmd) => {
    if (m.cmd === 'stop') {
      void msrp.close().then(() => process.exit(0));
      return;
    }
    const h = msrp.createSession(m.id, [{ id: 'a', remotePath: [m.a] }, { id: 'b', remotePath: [m.b] }]);
    process.send!({ id: m.id, a: h.localUri('a'), b: h.localUri('b') });
  });
  process.send!({ ready: true, msrpPort: msrp.port, plainPort: (plain.address() as net.AddressInfo).port });
}

void main();
