// D-306: sessions written behind their steps, coalesced, without reads. The database must end
// exactly as one transaction per step left it, whatever the steps and wherever the writes settle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { CpmSession, Leg, LegState, SessionMode } from '../engine/model';
import { SessionWriter, type SessionRowsThread } from './session-writer';
import { SqliteWriterThread } from './sqlite-writer-thread';
import { sqliteFileOf } from './open-client';
import { getSession, upsertSession, type SessionDetail } from './sessions';
import { databaseTargets } from './test-databases';

const ALICE = 'sip:alice@example.com';
const T0 = Date.UTC(2026, 11, 5, 10);

interface Step {
  /** which of the two sessions */
  which: 0 | 1;
  add: boolean;
  /** a leg (by its index in the value) moved on: CONNECTED → TERMINATING → TERMINATED */
  advance: number;
  /** a leg dropped from the value (the store keeps it, TERMINATED) */
  drop: number | null;
  mode: SessionMode | null;
  reason: string | null;
  /** the writer is told to settle after this step */
  settle: boolean;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  which: fc.constantFrom(0 as const, 1 as const),
  add: fc.boolean(),
  advance: fc.nat(4),
  drop: fc.option(fc.nat(4), { freq: 5 }),
  mode: fc.option(fc.constantFrom<SessionMode>('ACTIVE', 'REMAIN_DISCONNECTED', 'RELEASED'), { freq: 2 }),
  reason: fc.option(fc.constantFrom('SIP;cause=503', 'SIP;cause=200'), { freq: 2 }),
  settle: fc.boolean(),
});

const NEXT: Record<LegState, LegState> = { CONNECTED: 'TERMINATING', TERMINATING: 'TERMINATED', TERMINATED: 'TERMINATED' };

function leg(id: string): Leg {
  return { id, kind: 'CLIENT', dialog: { callId: `call-${id}`, localTag: 'l', remoteTag: 'r' }, mediaStreams: [], state: 'CONNECTED', suitable: true } as Leg;
}

function session(id: string): CpmSession {
  return {
    id, servedUser: ALICE, type: 'GROUP', conversationId: `conv-${id}`, contributionId: `contrib-${id}`, legs: [leg(`${id}-l0`)],
    interworked: false, usesSessionHistoryFolder: true, mode: 'ACTIVE', interceptEnabled: false,
    participants: { version: 1, confActive: true, users: {}, source: 'OWN_SUBSCRIPTION' }, isComposingFrom: [], isComposingSentByServedClients: [],
  } as unknown as CpmSession;
}

/** the values the steps make, each with its time and the Reasons known then */
function values(prefix: string, steps: Step[]) {
  const cur = [session(`${prefix}-a`), session(`${prefix}-b`)];
  const reasons: Array<Record<string, string>> = [{}, {}];
  let legs = 1;
  return steps.map((st, i) => {
    const s = cur[st.which];
    let next: CpmSession = { ...s, legs: s.legs.map((l) => ({ ...l })) };
    if (st.add) next.legs.push(leg(`${s.id}-l${legs++}`));
    const moved = next.legs[st.advance % next.legs.length];
    if (moved) {
      moved.state = NEXT[moved.state];
      if (moved.state === 'TERMINATED' && st.reason) reasons[st.which] = { ...reasons[st.which], [moved.id]: st.reason };
    }
    if (st.drop !== null && next.legs.length > 1) next.legs.splice(st.drop % next.legs.length, 1);
    if (st.mode) next = { ...next, mode: st.mode };
    cur[st.which] = next;
    return { s: next, at: new Date(T0 + i * 7), reasons: { ...reasons[st.which] }, settle: st.settle };
  });
}

/** what a reader sees, less updatedAt (the database's own clock) */
const seen = (d: SessionDetail | null) => d && { ...d, updatedAt: undefined, legs: [...d.legs].sort((a, b) => a.id.localeCompare(b.id)) };

/** the ways a SessionWriter writes: through Prisma, and on SQLite also on the writer thread (D-310) */
function ways(provider: string): Array<'prisma' | 'thread'> {
  return provider === 'sqlite' ? ['prisma', 'thread'] : ['prisma'];
}

async function threadFor(url: string, way: 'prisma' | 'thread'): Promise<{ thread?: SessionRowsThread; close(): Promise<void> }> {
  if (way === 'prisma') return { close: async () => {} };
  const w = new SqliteWriterThread(sqliteFileOf(url));
  return { thread: w, close: () => w.close() };
}

for (const target of databaseTargets()) for (const way of ways(target.provider)) {
  test(`D-306, D-308, D-310 (${target.provider}, ${way}): sessions written behind their steps, coalesced and without reads, end as one transaction per step leaves them`, async (t) => {
    const d = await target.fresh();
    const alice = await d.user(ALICE);
    let run = 0;
    const rows = await threadFor(d.url, way);
    t.after(() => rows.close());
    const writer = new SessionWriter(d.store, { delayMs: 1, thread: rows.thread });
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        run++;
        const byStep = values(`ref${run}`, steps);
        for (const v of byStep) await upsertSession(d.store, alice, v.s, { now: v.at, releaseReasons: v.reasons, instance: 'pf-a' });
        const behind = values(`wb${run}`, steps);
        // each session's first value is handed over as created here (D-308): its rows are not read
        const first = new Set<string>();
        for (const v of behind) {
          const created = !first.has(v.s.id);
          first.add(v.s.id);
          writer.write(alice, v.s, { now: v.at, releaseReasons: v.reasons, instance: 'pf-a' }, created);
          if (v.settle) await writer.settled();
        }
        await writer.settled();
        for (const suffix of ['a', 'b']) {
          const ref = seen(await getSession(d.store, `ref${run}-${suffix}`));
          const got = seen(await getSession(d.store, `wb${run}-${suffix}`));
          if (!ref) {
            assert.equal(got, null);
            continue;
          }
          const rename = (x: unknown) => JSON.parse(JSON.stringify(x).replaceAll(`ref${run}-`, `wb${run}-`));
          assert.deepEqual(JSON.parse(JSON.stringify(got)), rename(ref));
        }
      }),
      { numRuns: target.provider === 'sqlite' ? 40 : 12 },
    );
    assert.ok(writer.counts.coalesced > 0, 'some values were replaced before being written');
    assert.ok(writer.counts.transactions < writer.counts.values, `${writer.counts.transactions} transactions for ${writer.counts.values} values`);
  });
}

for (const target of databaseTargets()) for (const way of ways(target.provider)) {
  test(`D-306, D-310 (${target.provider}, ${way}): a session value the database refuses does not keep the others of its transaction out; it is reported, tried again, then given up`, async (t) => {
    const d = await target.fresh();
    const alice = await d.user(ALICE);
    const errors: string[][] = [];
    const rows = await threadFor(d.url, way);
    t.after(() => rows.close());
    const writer = new SessionWriter(d.store, { delayMs: 1000, onError: (_e, ids) => errors.push(ids), thread: rows.thread });
    // created here: on SQLite these go to the writer thread when it is given
    writer.write(alice, session('good-1'), { now: new Date(T0) }, true);
    writer.write('no-such-user', session('bad'), { now: new Date(T0) }, true);
    writer.write(alice, session('good-2'), { now: new Date(T0) }, true);
    await writer.settled();
    assert.equal((await getSession(d.store, 'good-1'))?.mode, 'ACTIVE');
    assert.equal((await getSession(d.store, 'good-2'))?.mode, 'ACTIVE');
    assert.equal(await getSession(d.store, 'bad'), null);
    // the refused value is tried again with the next writes, three times in all
    for (let i = 0; i < 3; i++) await writer.settled();
    assert.deepEqual(errors, [['bad'], ['bad'], ['bad']]);
  });
}

for (const target of databaseTargets()) {
  test(`D-308 (${target.provider}): a session created here is written without reading its rows; one not known here is read first`, async () => {
    const d = await target.fresh();
    const alice = await d.user(ALICE);
    let queries = 0;
    d.onQuery(() => queries++);
    const writer = new SessionWriter(d.store, { delayMs: 1000 });
    const count = async (f: () => void) => {
      await writer.settled();
      const before = queries;
      f();
      await writer.settled();
      return queries - before;
    };
    const created = await count(() => writer.write(alice, session('made-here'), { now: new Date(T0) }, true));
    const unknown = await count(() => writer.write(alice, session('from-elsewhere'), { now: new Date(T0) }));
    // one read for the session not known here (its row is absent, so its legs are not read)
    assert.equal(unknown - created, 1, `${created} queries for a created session, ${unknown} for one read first`);
    assert.equal((await getSession(d.store, 'made-here'))?.legs.length, 1);
  });
}
