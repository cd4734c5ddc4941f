// Every demo flow against the real PF over loopback SIP: one embedded PF (edge, srf, engine,
// store, console API and socket.io), the flows one after another as an operator would run them.
// A flow whose PF support is missing fails here with the decisions and checks it missed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setLogLevel } from '../log';
import { startEmbeddedPf, type EmbeddedPf } from './embedded';
import { FLOWS } from './flows';
import { ladderLine, verdict } from './format';
import { runFlow } from './run-flow';

let pf: EmbeddedPf;

before(async () => {
  setLogLevel('error');
  pf = await startEmbeddedPf();
});

after(async () => {
  await pf?.stop();
});

test('the flow list has at least twelve flows with unique ids and expected decisions', () => {
  assert.ok(FLOWS.length >= 12, `${FLOWS.length} flows`);
  assert.equal(new Set(FLOWS.map((f) => f.id)).size, FLOWS.length);
  for (const f of FLOWS) assert.ok(f.decisions.length > 0, `${f.id} expects no decision`);
});

let policyBefore: unknown;
test('the provider policy before the flows', async () => {
  policyBefore = ((await (await fetch(`${pf.consoleUrl}/api/provider-policy`)).json()) as { overrides: unknown }).overrides;
  assert.ok(policyBefore);
});

for (const flow of FLOWS) {
  test(`demo flow ${flow.id} (${flow.spec.join(', ')})`, { timeout: 30_000 }, async () => {
    const r = await runFlow(flow, { sip: pf.sip, consoleUrl: pf.consoleUrl, timeoutMs: 3000 });
    assert.ok(r.passed, `${verdict(r)}\n\nladder:\n${r.ladder.map(ladderLine).join('\n')}`);
  });
}

test('demo flows put back what they changed: the provider policy (iwf-streams-only sets iwfByeScope for its run)', async () => {
  const after = ((await (await fetch(`${pf.consoleUrl}/api/provider-policy`)).json()) as { overrides: unknown; inForce: { iwfByeScope: string } });
  assert.deepEqual(after.overrides, policyBefore);
  assert.equal(after.inForce.iwfByeScope, 'WHOLE_SESSION');
});
