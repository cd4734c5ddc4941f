// `npm run bench -- msrp`: MSRP relay throughput of the PF's media plane (server/msrp: listener,
// relay core, codec) beside a plain TCP relay in the same run. Both relays run in one child
// process (bench/msrp-relay-child.ts); the senders and receivers run here on the PF's codec and
// do the same work in both cases (the receiver parses each SEND and answers 200, the sender waits
// for the 200), so the difference is what the relay costs: parsing, To-Path routing, reassembly,
// the tid/path rewrite and the response mapping. Four loads, each on both relays: small messages
// (256 B) and 64 KiB chunks, through one session and spread over 100 sessions, with a bounded
// number of SENDs in flight per session. Reported: messages/s, MB/s of body, the relay process's
// CPU per message.
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { MsrpParser } from '../server/msrp/parser';
import { serialize, responseTo } from '../server/msrp/serializer';
import type { MsrpMessage, MsrpRequest } from '../server/msrp/message';
import { sampleProc } from './proc-stats';

const SMALL = Number(process.env.BENCH_MSRP_SMALL || 100_000);
const LARGE_MB = Number(process.env.BENCH_MSRP_LARGE_MB || 256);

interface Load { name: string; sessions: number; bodyBytes: number; total: number; window: number }

const LOADS: Load[] = [
  { name: '1 session, 256 B messages', sessions: 1, bodyBytes: 256, total: SMALL, window: 32 },
  { name: '1 session, 64 KiB chunks', sessions: 1, bodyBytes: 65_536, total: LARGE_MB * 16, window: 8 },
  { name: '100 sessions, 256 B messages', sessions: 100, bodyBytes: 256, total: SMALL, window: 4 },
  { name: '100 sessions, 64 KiB chunks', sessions: 100, bodyBytes: 65_536, total: LARGE_MB * 16, window: 2 },
];

/** One end of a measured session: parses what arrives, answers SENDs 200, counts 200s to its own SENDs. */
class End {
  readonly parser = new MsrpParser({ maxBodyBytes: 1 << 20 });
  answered = 0;
  onAnswer: () => void = () => {};
  remote: string[] = [];
  private n = 0;
  constructor(readonly socket: net.Socket, readonly path: string) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      for (const ev of this.parser.push(d)) {
        if (ev.type !== 'message') throw new Error(`bench peer got ${ev.type}`);
        const m = ev.message;
        if (m.kind === 'response') {
          this.answered++;
          this.onAnswer();
        } else if (m.method === 'SEND' && m.fromPath.length) socket.write(serialize(responseTo(m, 200, this.path)));
      }
    });
    socket.on('error', () => {});
  }
  send(body: Buffer | undefined): void {
    const m: MsrpRequest = {
      kind: 'request', tid: `t${++this.n}x${this.path.length}`, method: 'SEND', toPath: this.remote, fromPath: [this.path], headers: [],
      messageId: `msg${this.n}x`, continuation: '$', failureReport: 'yes',
      ...(body ? { body, contentType: 'text/plain', byteRange: { start: 1, end: body.length, total: body.length } } : {}),
    };
    this.socket.write(serialize(m as MsrpMessage));
  }
}

const connect = (port: number) =>
  new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });

function ask<T>(child: ChildProcess, msg: unknown, match: (r: Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const on = (r: Record<string, unknown>) => {
      if (!match(r)) return;
      child.off('message', on);
      resolve(r as T);
    };
    child.on('message', on);
    if (msg) child.send(msg as object);
  });
}

let pairN = 0;
/** A session through the MSRP relay: both ends connect in and bind their leg (RFC 4975 §7.1). */
async function msrpPair(child: ChildProcess, port: number): Promise<[End, End]> {
  const id = `bench${++pairN}`;
  const a = `msrp://127.0.0.1:1/${id}a;tcp`;
  const b = `msrp://127.0.0.1:1/${id}b;tcp`;
  const r = await ask<{ a: string; b: string }>(child, { cmd: 'session', id, a, b }, (x) => x.id === id);
  const ea = new End(await connect(port), a);
  const eb = new End(await connect(port), b);
  ea.remote = [r.a];
  eb.remote = [r.b];
  for (const e of [ea, eb]) {
    const bound = new Promise<void>((res) => (e.onAnswer = res));
    e.send(undefined);
    await bound;
    e.answered = 0;
  }
  return [ea, eb];
}

/** A "session" through the plain relay: the same two ends, paired by a first line. */
async function plainPair(port: number): Promise<[End, End]> {
  const id = `plain${++pairN}`;
  const sa = await connect(port);
  sa.write(`PAIR ${id} a\n`);
  const sb = await connect(port);
  sb.write(`PAIR ${id} b\n`);
  const ea = new End(sa, `msrp://127.0.0.1:1/${id}a;tcp`);
  const eb = new End(sb, `msrp://127.0.0.1:1/${id}b;tcp`);
  ea.remote = [eb.path];
  return [ea, eb];
}

/** Sends `perSession` SENDs from each pair's first end with `window` in flight; resolves when all are answered. */
function drive(pairs: Array<[End, End]>, perSession: number, body: Buffer, window: number): Promise<void> {
  return Promise.all(
    pairs.map(
      ([a]) =>
        new Promise<void>((resolve) => {
          let sent = 0;
          const pump = () => {
            while (sent < perSession && sent - a.answered < window) {
              a.send(body);
              sent++;
            }
            if (a.answered >= perSession) resolve();
          };
          a.onAnswer = pump;
          pump();
        }),
    ),
  ).then(() => undefined);
}

interface Row { load: string; relay: 'msrp' | 'plain'; messages: number; seconds: number; perSec: number; mbPerSec: number; relayCpuUsPerMsg: number; relayCpuPct: number }

async function measure(child: ChildProcess, relay: Row['relay'], port: number, load: Load): Promise<Row> {
  const pairs: Array<[End, End]> = [];
  for (let i = 0; i < load.sessions; i++) pairs.push(relay === 'msrp' ? await msrpPair(child, port) : await plainPair(port));
  const per = Math.max(1, Math.floor(load.total / load.sessions));
  const body = randomBytes(load.bodyBytes);
  const before = sampleProc(child.pid!)!;
  const t0 = process.hrtime.bigint();
  await drive(pairs, per, body, load.window);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = sampleProc(child.pid!)!;
  for (const [a, b] of pairs) {
    a.socket.destroy();
    b.socket.destroy();
  }
  const messages = per * load.sessions;
  const cpu = after.cpuSec - before.cpuSec;
  const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    load: load.name, relay, messages, seconds: round(seconds, 2), perSec: round(messages / seconds),
    mbPerSec: round((messages * load.bodyBytes) / seconds / 1e6, 1), relayCpuUsPerMsg: round((cpu / messages) * 1e6, 1), relayCpuPct: round((cpu / seconds) * 100),
  };
}

export async function run() {
  const child = fork('bench/msrp-relay-child.ts', [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = await ask<{ msrpPort: number; plainPort: number }>(child, undefined, (x) => x.ready === true);
    const rows: Row[] = [];
    for (const load of LOADS) {
      // the baseline first, then the PF's relay, each on fresh connections
      rows.push(await measure(child, 'plain', ready.plainPort, load));
      rows.push(await measure(child, 'msrp', ready.msrpPort, load));
      process.stderr.write(`${rows.slice(-2).map((r) => `${r.load} ${r.relay}: ${r.perSec}/s ${r.mbPerSec} MB/s`).join('; ')}\n`);
    }
    const summary = LOADS.map((l) => {
      const p = rows.find((r) => r.load === l.name && r.relay === 'plain')!;
      const m = rows.find((r) => r.load === l.name && r.relay === 'msrp')!;
      return `${l.name}: MSRP relay ${m.perSec.toLocaleString('en')}/s, ${m.mbPerSec} MB/s (relay CPU ${m.relayCpuUsPerMsg} µs/msg, ${m.relayCpuPct}% of a core) — plain TCP relay ${p.perSec.toLocaleString('en')}/s, ${p.mbPerSec} MB/s (${p.relayCpuUsPerMsg} µs/msg)`;
    });
    return { summary, data: { loads: LOADS, rows } };
  } finally {
    child.send({ cmd: 'stop' });
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  }
}
