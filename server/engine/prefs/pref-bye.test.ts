import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectUserPrefs } from './select';
import { G1, byeOn, chatItem, msrpOn, pol, run } from '../bye/fixtures';

// PREF-3c joins PREF-3 (this folder) with BYE-4 (server/engine/bye): the provider defaults must
// keep condition (c) true, so a client lost while the XDMS is down does not lose its messages.
test('PREF-3c: G1, no copy, XDMS unreachable, default prefs; BYE(SIP;cause=503) on c1 → BYE-4-R and intercepted chat messages are DEFERred', () => {
  const sel = selectUserPrefs({ outcome: { kind: 'NO_RESPONSE', reason: 'TIMEOUT' }, policy: pol() });
  assert.equal(sel.prefs.source, 'PROVIDER_DEFAULTS');
  assert.equal(sel.prefs.allowDefer, true);
  const { outs, session } = run(G1(), sel.prefs, pol(), [{ input: byeOn('c1', 'SIP;cause=503') }, { input: msrpOn('cf', chatItem()), at: 100 }]);
  assert.equal(session?.mode, 'REMAIN_DISCONNECTED');
  assert.ok(outs[0].decisions.some((d) => d.branch.startsWith('BYE-4-R')));
  assert.ok(outs[1].effects.some((e) => e.kind === 'DEFER' && e.item.kind === 'CHAT_MESSAGE'));
});
