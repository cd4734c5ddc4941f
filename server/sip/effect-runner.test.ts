// The one effect interpreter (issue 14): timers are routed by their typed reference, and an effect
// that only a session step can carry out is never carried out (nor silently dropped) elsewhere.
// Every Effect kind having a case is checked by the compiler (the `never` default), not here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Effect } from '../engine/effects';
import { pfTimer, sessionTimer } from '../engine/effects';
import { EffectRunner, type EffectRunnerDeps, type SessionEffects, type SessionTimerRef } from './effect-runner';

function runnerWith(overrides: Partial<EffectRunnerDeps> = {}) {
  const logged: string[] = [];
  const log = { error: (l: string) => logged.push(l), warn: (l: string) => logged.push(l), info: () => {}, debug: () => {} };
  const runner = new EffectRunner({
    requests: {} as EffectRunnerDeps['requests'],
    state: {} as EffectRunnerDeps['state'],
    store: {} as EffectRunnerDeps['store'],
    guard: {} as EffectRunnerDeps['guard'],
    log: log as unknown as EffectRunnerDeps['log'],
    now: () => 0,
    onRequestOutcome: () => {},
    onTimer: () => {},
    core: (() => Promise.resolve({ status: 200, reason: 'OK' })) as unknown as EffectRunnerDeps['core'],
    ...overrides,
  });
  return { runner, logged };
}

function sessionShell(calls: string[]): SessionEffects {
  return {
    sendOnLeg: (id, e) => void calls.push(`send ${id} ${e.leg} ${e.method}`),
    releaseMedia: (id, legs) => void calls.push(`release ${id} ${String(legs)}`),
    setMode: (id, mode) => void calls.push(`mode ${id} ${mode}`),
    relay: (id, e) => void calls.push(`relay ${id} ${e.toLeg}`),
    recordSession: async (id) => void calls.push(`record ${id}`),
    subscribeConf: (id) => void calls.push(`subscribe ${id}`),
    gsoParticipants: () => undefined,
    timerFired: (t: SessionTimerRef) => void calls.push(`timer ${t.sessionId} ${t.name}`),
  };
}

test('EFFECTS-ONE: a session timer fires back into its session, a PF timer into the PF services', async () => {
  const pf: string[] = [];
  const calls: string[] = [];
  let fired = 0;
  let done!: () => void;
  const both = new Promise<void>((r) => (done = r));
  const count = () => (++fired === 2 ? done() : undefined);
  const { runner } = runnerWith({ onTimer: (name) => (pf.push(name), count()) });
  const shell = sessionShell(calls);
  runner.attachSessions({ ...shell, timerFired: (t) => (shell.timerFired(t), count()) });
  await runner.run(
    [
      { kind: 'START_TIMER', timer: sessionTimer('S1', 'bye-relay'), ms: 0 },
      { kind: 'START_TIMER', timer: pfTimer('imdn-agg|k'), ms: 0 },
    ],
    { servedUser: 'sip:alice@example.com', sourceKey: 'k' },
  );
  await both;
  runner.close();
  assert.deepEqual(pf, ['imdn-agg|k']);
  assert.deepEqual(calls, ['timer S1 bye-relay']);
});

test('EFFECTS-ONE: the same timer name in two sessions is two timers; cancelling one leaves the other', async () => {
  const calls: string[] = [];
  let done!: () => void;
  const fired = new Promise<void>((r) => (done = r));
  const { runner } = runnerWith();
  const shell = sessionShell(calls);
  runner.attachSessions({ ...shell, timerFired: (t) => (shell.timerFired(t), done()) });
  const ctx = { servedUser: 'sip:alice@example.com', sourceKey: 'k', session: { id: 'S1' } };
  await runner.run(
    [
      { kind: 'START_TIMER', timer: sessionTimer('S1', 'bye-relay'), ms: 0 },
      { kind: 'START_TIMER', timer: sessionTimer('S2', 'bye-relay'), ms: 0 },
      { kind: 'CANCEL_TIMER', timer: sessionTimer('S1', 'bye-relay') },
    ],
    ctx,
  );
  await fired;
  runner.close();
  assert.deepEqual(calls, ['timer S2 bye-relay']);
});

test('EFFECTS-ONE: leg-addressed effects of a session step go to the session shell; outside a step they are refused with a log line', async () => {
  const calls: string[] = [];
  const { runner, logged } = runnerWith();
  runner.attachSessions(sessionShell(calls));
  const effects: Effect[] = [
    { kind: 'SEND_REQ', leg: 'client-1', method: 'BYE', headers: {} },
    { kind: 'RELEASE_MEDIA', legs: 'ALL' },
    { kind: 'SET_MODE', sessionId: 'S1', mode: 'RELEASED' },
    { kind: 'RECORD_SESSION', sessionId: 'S1' },
    { kind: 'DROP', reason: 'x' },
  ];
  await runner.run(effects, { servedUser: 'sip:alice@example.com', sourceKey: 'k', session: { id: 'S1' } });
  assert.deepEqual(calls, ['send S1 client-1 BYE', 'release S1 ALL', 'mode S1 RELEASED', 'record S1']);
  calls.length = 0;
  await runner.run(effects.slice(1), { servedUser: 'sip:alice@example.com', sourceKey: 'k2' });
  assert.deepEqual(calls, []);
  assert.equal(logged.length, 3, logged.join('\n'));
  runner.close();
});
