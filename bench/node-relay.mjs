// The bench's Node.js floor (issue 17): the IMDN part's traffic relayed by the least a
// transaction-stateful relay does, in plain Node.js on one thread, beside Kamailio's t_relay in
// the same run. Per request: split the head into header lines, Max-Forwards, a Via of its own with
// a new branch, the transaction remembered by both branches for 64*T1, forwarded; per response:
// the transaction found by the top Via's branch, that Via removed, sent back to where the request
// came from; a retransmitted request gets the transaction's last response. Nothing else: no
// decision, no IMDN parse, no database, no control protocol, no srf. What the PF costs above
// this is what its layers and features cost, not what Node.js costs (docs/BENCHMARKS.md).
// Not part of the product. Usage: node bench/node-relay.mjs <port> <next host:port>; prints
// "ready" once bound.
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
const [nextHost, nextPort] = process.argv[3].split(':');
const LIFETIME_MS = 32_000;

const socket = dgram.createSocket('udp4');
/** our branch → the transaction; the client's branch → the same */
const byOurBranch = new Map();
const byClientBranch = new Map();
/** transactions in creation order (all live LIFETIME_MS), from index `oldest` on */
const created = [];
let oldest = 0;
let branchSeq = 0;

/** The datagram's start line, its header lines (name lower-cased, value, the line) and its body. */
function split(datagram) {
  const text = datagram.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = text.slice(0, end).split('\r\n');
  const headers = [];
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon > 0) headers.push({ name: lines[i].slice(0, colon).trim().toLowerCase(), value: lines[i].slice(colon + 1).trim(), line: lines[i] });
  }
  return { start: lines[0], headers, body: text.slice(end + 4) };
}

const isVia = (h) => h.name === 'via' || h.name === 'v';
// a Via header line may carry several values, comma-separated (SIPp's UAS answers so)
const branchOf = (via) => /;branch=([^;,\s]+)/.exec(via)?.[1] ?? '';
const join = (start, lines, body) => Buffer.from(`${start}\r\n${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');

function expire(now) {
  while (oldest < created.length && created[oldest].until < now) {
    const t = created[oldest++];
    byOurBranch.delete(t.ours);
    byClientBranch.delete(t.theirs);
  }
  if (oldest > 65_536) {
    created.splice(0, oldest);
    oldest = 0;
  }
}

function onResponse(m) {
  const top = m.headers.findIndex(isVia);
  if (top < 0) return;
  const t = byOurBranch.get(branchOf(m.headers[top].value));
  if (!t) return;
  const lines = [];
  for (let i = 0; i < m.headers.length; i++) {
    if (i !== top) lines.push(m.headers[i].line);
    else {
      const comma = m.headers[i].value.indexOf(',');
      if (comma >= 0) lines.push(`Via: ${m.headers[i].value.slice(comma + 1).trim()}`);
    }
  }
  t.last = join(m.start, lines, m.body);
  socket.send(t.last, t.port, t.address);
}

function onRequest(m, from) {
  const via = m.headers.find(isVia);
  if (!via) return;
  const theirs = branchOf(via.value);
  const known = byClientBranch.get(theirs);
  if (known) {
    if (known.last) socket.send(known.last, known.port, known.address);
    return;
  }
  const lines = [];
  for (const h of m.headers) {
    if (h.name !== 'max-forwards') lines.push(h.line);
    else if (Number(h.value) <= 0) return;
    else lines.push(`Max-Forwards: ${Number(h.value) - 1}`);
  }
  const now = Date.now();
  expire(now);
  const ours = `z9hG4bKnr${(++branchSeq).toString(36)}`;
  const t = { ours, theirs, address: from.address, port: from.port, last: undefined, until: now + LIFETIME_MS };
  byOurBranch.set(ours, t);
  byClientBranch.set(theirs, t);
  created.push(t);
  lines.unshift(`Via: SIP/2.0/UDP 127.0.0.1:${port};branch=${ours}`);
  socket.send(join(m.start, lines, m.body), Number(nextPort), nextHost);
}

socket.on('message', (datagram, from) => {
  const m = split(datagram);
  if (!m) return;
  if (m.start.startsWith('SIP/2.0 ')) onResponse(m);
  else onRequest(m, from);
});
socket.bind(port, '127.0.0.1', () => {
  // the same 1 MiB the PF's SIP socket and the bench's SIPp peers ask for (D-151, D-333)
  socket.setRecvBufferSize(1 << 20);
  socket.setSendBufferSize(1 << 20);
  process.stdout.write('ready\n');
});
