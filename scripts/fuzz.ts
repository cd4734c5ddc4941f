// Throws generated bad input at the parsers that read network bytes: the SIP parser of the edge,
// CPIM, IMDN (XML and CPIM-wrapped) and conference-info. Inputs are seeded mutations of valid
// messages (bit flips, cuts, splices, duplicated chunks, hostile tokens such as DOCTYPEs, entity
// bombs, deep nesting, long runs), so they stay close enough to valid to reach deep code.
// A parser may refuse an input (a SipParseError, an { ok: false } result); anything else it
// throws, or an input that hangs it, is a finding.
//
//   node --import tsx scripts/fuzz.ts [N=100000] [--seed S]
import { pathToFileURL } from 'node:url';
import { parseSipMessage, SipParseError } from '../server/edge/sip/message';
import { parseConferenceInfo } from '../server/engine/parse/conference-info';
import { parseCpim } from '../server/engine/parse/cpim';
import { parseCpimImdn, parseImdnXml } from '../server/engine/parse/imdn';

const IMDN_XML = `<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>Msg7k2Qa9</message-id>
  <datetime>2015-11-10T10:15:00.000Z</datetime>
  <recipient-uri>sip:+15551230002@ims.beta.example</recipient-uri>
  <original-recipient-uri>sip:+15551230002@ims.beta.example</original-recipient-uri>
  <delivery-notification><status><delivered/></status></delivery-notification>
</imdn>`;

const CPIM = (body: string, type = 'message/imdn+xml') =>
  [
    'From: <sip:+15551230002@ims.beta.example>',
    'To: <sip:+15551230001@ims.alpha.example>',
    'NS: imdn <urn:ietf:params:imdn>',
    'imdn.Message-ID: dlv-4711',
    'DateTime: 2015-11-10T10:15:01.000Z',
    '',
    `Content-Type: ${type}`,
    'Content-Disposition: notification',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');

const CONF_INFO = `<?xml version="1.0" encoding="UTF-8"?>
<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="sip:conf-1@cf.example" state="full" version="3">
  <conference-description><subject>Team</subject></conference-description>
  <conference-state><active>true</active></conference-state>
  <users>
    <user entity="sip:alice@example.com" state="full"><display-text>Alice</display-text>
      <endpoint entity="sip:alice@example.com;gr=1" state="full"><status>connected</status></endpoint></user>
    <user entity="sip:bob@example.com" state="deleted"/>
  </users>
</conference-info>`;

const SIP = (body: string) =>
  [
    'MESSAGE sip:alice@example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
    'Max-Forwards: 70',
    'From: "Bob" <sip:bob@example.com>;tag=1928301774',
    'To: <sip:alice@example.com>',
    'Call-ID: a84b4c76e66710@pc33.example.com',
    'CSeq: 314159 MESSAGE',
    'Contact: <sip:bob@192.0.2.10:5060>;+g.oma.sip-im',
    'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"',
    'Content-Type: message/cpim',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');

// The billion-laughs document and an external entity: both must be refused, never expanded.
export const ENTITY_BOMB = `<?xml version="1.0"?><!DOCTYPE imdn [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>&d;</message-id></imdn>`;
export const EXTERNAL_ENTITY = `<?xml version="1.0"?><!DOCTYPE conference-info [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="&xxe;" state="full" version="1"/>`;

const TOKENS = [
  '<!DOCTYPE x [<!ENTITY e "&e;&e;">]>', '<!ENTITY x SYSTEM "file:///etc/passwd">', '&e;', '&amp;', '&#x10FFFF;', '&#0;', '&#xD800;',
  '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<!--', '-->', '</', '/>', '<a:b xmlns:a="x">', 'xmlns=""', '\u0000', '\uFFFF', '\uD800',
  '\r\n', '\r\n\r\n', '\n', ' ', '\t', ':', ';', ',', '"', "'", '<', '>', '=', '\\', '%00', 'Content-Length: 99999999', 'l: 5', 'Content-Type: multipart/mixed;boundary=',
  'NS: x <', 'imdn.', 'SIP/2.0', 'sip:', 'tel:+1', '\u00e9\u2713', '9'.repeat(40),
];

/** xorshift32: deterministic, so a finding can be replayed from its seed and index */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function mutate(seed: string, r: () => number): string {
  let s = seed;
  const ops = 1 + Math.floor(r() * 4);
  const at = () => Math.floor(r() * (s.length + 1));
  for (let i = 0; i < ops; i++) {
    switch (Math.floor(r() * 9)) {
      case 0: { // flip a character's bits
        const p = at();
        s = s.slice(0, p) + String.fromCharCode((s.charCodeAt(p) || 32) ^ (1 << Math.floor(r() * 8))) + s.slice(p + 1);
        break;
      }
      case 1: { // delete a range
        const p = at();
        s = s.slice(0, p) + s.slice(p + Math.floor(r() * 40));
        break;
      }
      case 2: { // insert a hostile token
        const p = at();
        s = s.slice(0, p) + TOKENS[Math.floor(r() * TOKENS.length)] + s.slice(p);
        break;
      }
      case 3: // truncate
        s = s.slice(0, at());
        break;
      case 4: { // duplicate a chunk
        const p = at();
        const chunk = s.slice(p, p + Math.floor(r() * 200));
        s = s.slice(0, p) + chunk.repeat(1 + Math.floor(r() * 20)) + s.slice(p);
        break;
      }
      case 5: { // deep nesting
        const p = at();
        const n = Math.floor(r() * 5000);
        s = s.slice(0, p) + '<n>'.repeat(n) + '</n>'.repeat(Math.floor(r() * n)) + s.slice(p);
        break;
      }
      case 6: { // a long run of one character
        const p = at();
        s = s.slice(0, p) + (TOKENS[Math.floor(r() * TOKENS.length)][0] ?? 'x').repeat(Math.floor(r() * 70_000)) + s.slice(p);
        break;
      }
      case 7: // random printable noise
        s = s.slice(0, at()) + Array.from({ length: Math.floor(r() * 30) }, () => String.fromCharCode(32 + Math.floor(r() * 95))).join('') + s.slice(at());
        break;
      default: { // swap two lines
        const lines = s.split('\n');
        const a = Math.floor(r() * lines.length);
        const b = Math.floor(r() * lines.length);
        [lines[a], lines[b]] = [lines[b], lines[a]];
        s = lines.join('\n');
      }
    }
  }
  return s;
}

interface Target {
  name: string;
  seeds: string[];
  /** returns true when the parser accepted the input */
  run(input: string): boolean;
}

const TARGETS: Target[] = [
  {
    name: 'SIP (edge parser)',
    seeds: [SIP(CPIM(IMDN_XML)), SIP('')],
    run(input) {
      try {
        parseSipMessage(Buffer.from(input, 'utf8'));
        return true;
      } catch (e) {
        if (e instanceof SipParseError) return false;
        throw e;
      }
    },
  },
  { name: 'CPIM', seeds: [CPIM(IMDN_XML), CPIM('Hello', 'text/plain')], run: (i) => parseCpim(i).ok },
  { name: 'IMDN XML', seeds: [IMDN_XML, ENTITY_BOMB], run: (i) => parseImdnXml(i).ok },
  { name: 'IMDN in CPIM', seeds: [CPIM(IMDN_XML)], run: (i) => parseCpimImdn(i).ok },
  { name: 'conference-info', seeds: [CONF_INFO, EXTERNAL_ENTITY], run: (i) => parseConferenceInfo(i).ok },
];

export interface TargetFigures {
  name: string;
  inputs: number;
  accepted: number;
  refused: number;
  crashes: Array<{ index: number; error: string; input: string }>;
  totalMs: number;
  slowestMs: number;
}

export interface FuzzReport {
  seed: number;
  perTarget: TargetFigures[];
  crashes: number;
  entityInputsRefused: boolean;
}

/** Runs n inputs spread over the targets. Deterministic for a seed. */
export function runFuzz(n: number, seed = 1): FuzzReport {
  const r = rng(seed);
  const perTarget = TARGETS.map((t) => ({ name: t.name, inputs: 0, accepted: 0, refused: 0, crashes: [], totalMs: 0, slowestMs: 0 }) as TargetFigures);
  for (let i = 0; i < n; i++) {
    const ti = i % TARGETS.length;
    const t = TARGETS[ti];
    const f = perTarget[ti];
    const input = mutate(t.seeds[Math.floor(r() * t.seeds.length)], r);
    const start = performance.now();
    try {
      if (t.run(input)) f.accepted++;
      else f.refused++;
    } catch (e) {
      if (f.crashes.length < 20) f.crashes.push({ index: i, error: (e as Error).stack ?? String(e), input: input.slice(0, 2000) });
      else f.crashes.length++;
    }
    const ms = performance.now() - start;
    f.inputs++;
    f.totalMs += ms;
    f.slowestMs = Math.max(f.slowestMs, ms);
  }
  const entityInputsRefused = !parseImdnXml(ENTITY_BOMB).ok && !parseConferenceInfo(EXTERNAL_ENTITY).ok && !parseCpimImdn(CPIM(ENTITY_BOMB)).ok;
  return { seed, perTarget, crashes: perTarget.reduce((a, f) => a + f.crashes.length, 0), entityInputsRefused };
}

function main(): void {
  const args = process.argv.slice(2);
  const seedAt = args.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : Date.now() % 0x7fffffff;
  const n = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--seed') ?? 100_000);
  const start = performance.now();
  const report = runFuzz(n, seed);
  const secs = (performance.now() - start) / 1000;
  console.log(`fuzz: ${n} inputs, seed ${seed}, ${secs.toFixed(1)} s (${Math.round(n / secs)} inputs/s)`);
  console.log('target                 inputs  accepted   refused  crashes  mean µs  slowest ms');
  for (const f of report.perTarget) {
    console.log(
      `${f.name.padEnd(20)} ${String(f.inputs).padStart(8)} ${String(f.accepted).padStart(9)} ${String(f.refused).padStart(9)} ${String(f.crashes.length).padStart(8)} ${((f.totalMs * 1000) / Math.max(1, f.inputs)).toFixed(0).padStart(8)} ${f.slowestMs.toFixed(1).padStart(11)}`,
    );
    for (const c of f.crashes.slice(0, 3)) console.log(`  crash at input ${c.index} (replay with --seed ${seed}):\n${c.error}\n  input: ${JSON.stringify(c.input.slice(0, 300))}`);
  }
  console.log(`entity expansion and external entities refused: ${report.entityInputsRefused ? 'yes' : 'NO'}`);
  process.exitCode = report.crashes === 0 && report.entityInputsRefused ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
