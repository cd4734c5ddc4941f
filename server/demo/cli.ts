// `npm run demo -- <flow>|--list|--all [--embedded] [--sip host:port] [--console url]`
// Runs demo flows against a running PF (default sip 127.0.0.1:5060, console http://127.0.0.1:3000;
// env DEMO_SIP / DEMO_CONSOLE) or against a PF of its own (--embedded). Prints the ladder and the
// decisions as they happen, then the verdict; exits 1 when any flow's outcome does not match.
import { setLogLevel } from '../log';
import { startEmbeddedPf, type EmbeddedPf } from './embedded';
import { FLOWS, flowById } from './flows';
import { decisionLine, ladderLine, verdict } from './format';
import { runFlow } from './run-flow';

function usage(): string {
  return [
    'usage: npm run demo -- <flow>... | --all | --list  [--embedded] [--sip host:port] [--console url] [--timeout ms]',
    '',
    'flows:',
    ...FLOWS.map((f) => `  ${f.id.padEnd(28)} ${f.title}`),
  ].join('\n');
}

function parseHostPort(s: string): { host: string; port: number } {
  const m = /^([^:]+):(\d{1,5})$/.exec(s);
  if (!m) throw new Error(`--sip must be host:port, got "${s}"`);
  return { host: m[1], port: Number(m[2]) };
}

async function signIn(consoleUrl: string): Promise<string | undefined> {
  const password = process.env.PF_ADMIN_PASSWORD;
  if (!password) return undefined;
  const res = await fetch(`${consoleUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(consoleUrl).origin },
    body: JSON.stringify({ username: process.env.PF_ADMIN_USER ?? 'admin', password }),
  });
  if (!res.ok) throw new Error(`sign-in to ${consoleUrl} failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function main(argv: string[]): Promise<number> {
  const ids: string[] = [];
  let embedded = false;
  let sip = process.env.DEMO_SIP ?? '127.0.0.1:5060';
  let consoleUrl = process.env.DEMO_CONSOLE ?? 'http://127.0.0.1:3000';
  let timeoutMs = 4000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') {
      for (const f of FLOWS) console.log(`${f.id.padEnd(28)} ${f.title}\n${' '.repeat(28)} ${f.spec.join(', ')}; relies on ${f.relies}`);
      return 0;
    } else if (a === '--help' || a === '-h') {
      console.log(usage());
      return 0;
    } else if (a === '--embedded') embedded = true;
    else if (a === '--all') ids.push(...FLOWS.map((f) => f.id));
    else if (a === '--sip') sip = argv[++i] ?? '';
    else if (a === '--console') consoleUrl = argv[++i] ?? '';
    else if (a === '--timeout') timeoutMs = Number(argv[++i]);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${usage()}`);
    else ids.push(a);
  }
  if (ids.length === 0) {
    console.error(usage());
    return 2;
  }
  const flows = ids.map((id) => {
    const f = flowById(id);
    if (!f) throw new Error(`no flow "${id}"; --list shows them`);
    return f;
  });

  let pf: EmbeddedPf | undefined;
  if (embedded) {
    setLogLevel('warn');
    pf = await startEmbeddedPf();
    console.log(`embedded PF: sip ${pf.sip.host}:${pf.sip.port}, console ${pf.consoleUrl}`);
  }
  // A console that requires a login: sign in with PF_ADMIN_USER / PF_ADMIN_PASSWORD.
  const cookie = pf ? undefined : await signIn(consoleUrl);
  const target = pf ? { sip: pf.sip, consoleUrl: pf.consoleUrl, timeoutMs } : { sip: parseHostPort(sip), consoleUrl, timeoutMs, cookie };
  let failed = 0;
  try {
    for (const flow of flows) {
      console.log(`\n=== ${flow.id}: ${flow.title}\n${flow.story}\n`);
      const r = await runFlow(flow, target, {
        onLadder: (e) => console.log(ladderLine(e)),
        onDecision: (d) => console.log(`           decision${decisionLine(d)}`),
      });
      console.log(`\n${verdict(r)}`);
      if (!r.passed) failed++;
    }
  } finally {
    await pf?.stop();
  }
  if (flows.length > 1) console.log(`\n${flows.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(2);
  },
);
