// SHELL-NO-DECISIONS (issue 14, D-203): server/sip carries bytes and effects; protocol decisions
// are the engine's. What a check can see of that: the SIP answers the shell writes itself, as a
// literal status code in `res.send(NNN` or `respond(txn, NNN` (the engine's answers arrive as
// SEND_RESP effects and carry no literal here), and the session-ending requests (BYE, INVITE) it
// writes itself. Every such place is listed below with why it is not an engine decision, or as a

// must shrink with the code). It cannot see a decision made without a literal (a code computed
// from a variable, a request silently not sent, a branch taken on a header): see D-203.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SIP = path.resolve('server/sip');

/** `file: code` → why the shell answers by itself. */
const ANSWERS: Record<string, string> = {
  // not a CPM procedure: liveness and the registrar (RFC 3261 §10), no engine procedure exists for them
  'pf-app.ts: 200': 'OPTIONS liveness and REGISTER accepted (registrar)',
  'pf-app.ts: 503': 'draining on stop / a binding that could not be stored (storage, not protocol)',
  'message-handler.ts: 503': 'draining on stop / storage unavailable (Retry-After)',
  'message-handler.ts: 500': 'an exception in the handler',
  'invite-handler.ts: 500': 'an exception in the handler',
  'message-link.ts: 500': 'an exception in a handler on the MESSAGE link, answered as srf answers it (D-341)',
  'message-link.ts: 503': 'a MESSAGE on the link before the handlers are installed, as the edge answers a method no app routes yet (D-341)',
  'conf-subscriber.ts: 500': 'PIN left a NOTIFY unanswered (a defect guard)',
  // transaction bookkeeping: no dialog or subscription to decide about
  'leg-wiring.ts: 481': 'BYE-0a: the engine decides and records; the shell answers for the dialog srf does not hold',
  'session-runtime.ts: 481': 'IMDN in a session released meanwhile',
  'conf-subscriber.ts: 481': "NOTIFY for none of the PF's own subscriptions",
  'conf-relay.ts: 481': 'a relayed subscription that no longer exists',
  'imdn-service.ts: 200': 'a notification loop the engine stopped (its decision recorded) is answered 200',
  'deferred-messages.ts: 200': 'RFC 6665 SUBSCRIBE accepted (8.3.1.6.4, DSP-4 decided in the engine)',
  'effect-runner.ts: 480': 'D-134: the 202 the engine chose becomes 480 when the store refuses (quota)',
};

/** `file: METHOD` → why the shell writes that request itself rather than from a SEND_REQ effect. */
const REQUESTS: Record<string, string> = {
  'session-runtime.ts: BYE': 'STOP-1 (D-202): the BYE the engine asked for, sent so that the stop can await its answer',
};

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const stripComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

export function answersIn(code: string): number[] {
  return [...stripComments(code).matchAll(/(?:\.send|\brespond)\(\s*(?:[\w.]+\s*,\s*)?([1-6]\d\d)\b/g)].map((m) => Number(m[1]));
}

export function requestsIn(code: string): string[] {
  return [...stripComments(code).matchAll(/\bmethod:\s*'(BYE|INVITE|CANCEL)'/g)].map((m) => m[1]);
}

function found(extract: (code: string) => Array<string | number>): string[] {
  const keys = new Set<string>();
  for (const f of sources(SIP)) for (const x of extract(readFileSync(f, 'utf8'))) keys.add(`${path.basename(f)}: ${x}`);
  return [...keys].sort();
}

test('SHELL-NO-DECISIONS: every SIP answer server/sip writes with its own status code is listed with why; the engine gives the others', () => {
  assert.deepEqual(found(answersIn), Object.keys(ANSWERS).sort(), 'a status code the shell chose: make it an engine decision (a SEND_RESP effect), or list it here with why');
});

test('SHELL-NO-DECISIONS: server/sip ends or starts dialogs (BYE, INVITE, CANCEL) only as the engine asked', () => {
  assert.deepEqual(found(requestsIn), Object.keys(REQUESTS).sort());
});

test('SHELL-NO-DECISIONS: the check sees an answer or a request the shell writes itself', () => {
  assert.deepEqual(answersIn("res.send(404, 'Not Found'); rt.respond(txn, 481, 'x'); this.respond(e.txn, e.code, e.reason); // res.send(499)"), [404, 481]);
  assert.deepEqual(requestsIn("d.request({ method: 'BYE' }); x({ method: 'MESSAGE' })"), ['BYE']);
});
