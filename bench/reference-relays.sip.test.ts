// Issue 17: the IMDN part's reference relays relay what the PF is given, so their figures beside
// the PF's are the same work. Over real UDP sockets: a MESSAGE in, on to a UAS, its 200 back.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, test } from 'node:test';
import { startNodeRelay, startSrfRelay, startUaRelay, type Relay } from './reference-relays';

/** A UAS answering every MESSAGE 200 with its Vias folded in one line, as SIPp's answers them. */
async function foldingUas(): Promise<{ port: number; seen: string[]; close(): void }> {
  const s = dgram.createSocket('udp4');
  const seen: string[] = [];
  s.on('message', (b, from) => {
    const text = b.toString('latin1');
    seen.push(text);
    const lines = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
    const vias = lines.filter((l) => /^via:/i.test(l)).map((l) => l.slice(l.indexOf(':') + 1).trim());
    const keep = lines.filter((l) => /^(from|to|call-id|cseq):/i.test(l));
    s.send(`SIP/2.0 200 OK\r\nVia: ${vias.join(', ')}\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, from.port, from.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return { port: s.address().port, seen, close: () => s.close() };
}

/** A UAC socket: sends `text` to `port` and collects what comes back. */
async function uac(): Promise<{ port: number; send(text: string, to: number): void; next(): Promise<string>; close(): void }> {
  const s = dgram.createSocket('udp4');
  const inbox: string[] = [];
  let wake: (() => void) | undefined;
  s.on('message', (b) => {
    inbox.push(b.toString('latin1'));
    wake?.();
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return {
    port: s.address().port,
    send: (text, to) => s.send(text, to, '127.0.0.1'),
    async next() {
      const deadline = Date.now() + 5000;
      while (!inbox.length) {
        if (Date.now() > deadline) throw new Error('no answer within 5 s');
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
      return inbox.shift()!;
    },
    close: () => s.close(),
  };
}

function message(uacPort: number, branch: string, body = 'hello'): string {
  return [
    'MESSAGE sip:u0@example.com SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:${uacPort};branch=${branch}`,
    'From: <sip:bob@example.com>;tag=b1',
    'To: <sip:u0@example.com>',
    `Call-ID: ${branch}@test`,
    'CSeq: 1 MESSAGE',
    'Max-Forwards: 70',
    `Content-Type: ${body.startsWith('<') ? 'message/imdn+xml' : 'text/plain'}`,
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

const running: Array<{ close?: () => void; stop?: () => Promise<void> }> = [];
after(async () => {
  for (const r of running.reverse()) {
    r.close?.();
    await r.stop?.();
  }
});

const RELAYS = [
  ['the Node.js floor (bench/node-relay.mjs)', startNodeRelay],
  ['the edge + srf with no PF (bench/srf-relay-process.ts)', startSrfRelay],
  ['the edge UA alone (bench/ua-relay-process.ts)', startUaRelay],
] as const;
for (const [name, start] of RELAYS) {
  test(`issue 17: ${name} relays a MESSAGE to the UAS and its 200 back to the UAC`, async () => {
    const uas = await foldingUas();
    running.push(uas);
    const relay: Relay = await start(`127.0.0.1:${uas.port}`);
    running.push(relay);
    const client = await uac();
    running.push(client);
    client.send(message(client.port, 'z9hG4bKt1'), relay.port);
    const answer = await client.next();
    assert.match(answer, /^SIP\/2\.0 200 /);
    assert.match(answer, new RegExp(`Via: SIP/2\\.0/UDP 127\\.0\\.0\\.1:${client.port};branch=z9hG4bKt1`), 'the UAC gets its own Via back');
    assert.equal((answer.match(/^Via:/gim) ?? []).length, 1, 'and only its own');
    assert.equal(uas.seen.length, 1);
    assert.match(uas.seen[0], /\r\n\r\nhello$/, 'the body reaches the UAS');
    // a retransmission of the request is the transaction's: answered, not sent on again
    client.send(message(client.port, 'z9hG4bKt1'), relay.port);
    assert.match(await client.next(), /^SIP\/2\.0 200 /);
    assert.equal(uas.seen.length, 1);
  });
}

const ANSWERING = [
  ['the edge + srf relay', startSrfRelay],
  ['the edge UA relay', startUaRelay],
] as const;
for (const [name, start] of ANSWERING) {
  test(`issue 17: ${name} answering repeats answers a notification seen before itself, as the PF does, and relays a new one`, async () => {
    const uas = await foldingUas();
    running.push(uas);
    const relay = await start(`127.0.0.1:${uas.port}`, 'answer');
    running.push(relay);
    const client = await uac();
    running.push(client);
    const imdn = (id: string) => `<imdn><message-id>${id}</message-id></imdn>`;
    client.send(message(client.port, 'z9hG4bKa1', imdn('m1')), relay.port);
    assert.match(await client.next(), /^SIP\/2\.0 200 /);
    client.send(message(client.port, 'z9hG4bKa2', imdn('m1')), relay.port);
    assert.match(await client.next(), /^SIP\/2\.0 200 /);
    assert.equal(uas.seen.length, 1, 'the repeat is answered by the relay, not sent on');
    client.send(message(client.port, 'z9hG4bKa3', imdn('m2')), relay.port);
    assert.match(await client.next(), /^SIP\/2\.0 200 /);
    assert.equal(uas.seen.length, 2, 'a new notification is sent on');
  });
}
