// Shared set-up for the session scenarios: a PF with a topology file naming the SIPp peers, the
// policy and alice's preferences each test needs, registered SIPp devices, and DB read-outs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { after } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { withPolicy, type PolicyOverrides } from '../../../server/engine/policy';
import type { Pf } from '../../../server/pf';
import { sessionHandlersOf } from '../../../server/sip/session/install';
import type { TopologyFile } from '../../../server/sip/topology';
import { freePort } from '../../support/ports';
import { runSipp, type SippBackground, type SippOptions, type SippRun } from '../../support/sipp';
import { startSippWithMsrp, type SippMsrp } from '../../support/sipp-msrp';
import { startTestPf } from '../../support/test-pf';
import { decisionsInOrder } from '../../../server/store/decision-search';
import { getSession, listSessions } from '../../../server/store/sessions';
import { upsertPolicyRule } from '../../../server/store/user-prefs';
import { requireUserId } from '../../../server/store/users';

export const ALICE = 'sip:alice@example.com';
export const SESSION_ICSI = 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session';
export const scenario = (name: string) => path.resolve('e2e/sipp/session/scenarios', name);

export interface Prefs {
  allowOfflineStorage?: boolean;
  allowStore?: boolean;
  allowDefer?: boolean;
}

export interface SessionPf {
  pf: Pf;
  target: string;
  stop(): Promise<void>;
}

/**
 * What this file's tests started and have not stopped. A test whose set-up fails before its `try`
 * never stops its PF or devices, and their sockets would keep the file's process alive until the
 * runner's timeout: after the file's tests, whatever is still running is stopped.
 */
const running = new Set<{ stop(): Promise<unknown> }>();
after(async () => {
  for (const r of [...running]) await r.stop().catch(() => undefined);
});

function tracked<T extends { stop(): Promise<unknown> }>(x: T): T {
  const stop = x.stop.bind(x);
  running.add(x);
  x.stop = () => {
    running.delete(x);
    return stop();
  };
  return x;
}

export async function startSessionPf(opts: { topology: TopologyFile; policy?: PolicyOverrides; prefs?: Prefs; env?: Record<string, string> }): Promise<SessionPf> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-topology-'));
  const file = path.join(dir, 'topology.json');
  writeFileSync(file, JSON.stringify(opts.topology));
  const pf = tracked(await startTestPf({ PF_TOPOLOGY_FILE: file, PF_TRUST: 'peers', ...opts.env }));
  pf.state.policy = withPolicy(opts.policy ?? {});
  // an explicit rule, also when every value is false (no rule at all reads the same: PREF-1c)
  await upsertPolicyRule(pf.db.store, await requireUserId(pf.db.store, ALICE), {
    ruleId: 'cpm',
    serviceEnablers: ['CPM'],
    allowOfflineStorage: opts.prefs?.allowOfflineStorage ?? false,
    allowStore: opts.prefs?.allowStore ?? false,
    allowDefer: opts.prefs?.allowDefer ?? false,
  }, 'test');
  // the topology is loaded asynchronously at install: wait for the peers to be known
  const h = sessionHandlersOf(pf.srf);
  for (let i = 0; i < 50 && h && h.topology.list().length < opts.topology.peers.length; i++) await sleep(20);
  return {
    pf,
    target: `127.0.0.1:${pf.sipAddress.port}`,
    async stop() {
      sessionHandlersOf(pf.srf)?.close();
      await pf.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function registerDevice(target: string, user: string, port: number, userAgent = 'CPM-client/OMA2.2 sipp'): Promise<void> {
  const reg = await runSipp({
    scenario: 'register.xml', target, localPort: await freePort(), calls: 1, timeoutSec: 10,
    keys: { user, contact_port: String(port), expires: '300', user_agent: userAgent },
  });
  if (reg.code !== 0) throw new Error(`REGISTER of ${user} at ${port} failed: ${reg.stderr}`);
}

/**
 * A device SIPp UAS on its own port, registered for alice. Its SDP names its own MSRP peer
 * (`msrp`, keys msrp_path/msrp_port), to which the PF connects in an anchored session: the
 * session's messages reach the device there (D-265). Stopping the SIPp closes the peer too.
 */
export async function startDevice(target: string, file: string, extra: Partial<SippOptions> = {}, userAgent?: string): Promise<{ port: number; sipp: SippBackground; msrp: SippMsrp }> {
  const port = await freePort();
  const sipp = tracked(await startSippWithMsrp({ scenario: scenario(file), localPort: port, calls: 1, timeoutSec: 20, ...extra }));
  await registerDevice(target, 'alice', port, userAgent);
  return { port, sipp, msrp: sipp.msrp };
}

/**
 * The keys of network-msrp.xml: networkKeys, the Contact's port (a group's focus, else SIPp's
 * own) and the MSRP peer standing for the network side's media.
 */
export function networkMsrpKeys(msrp: SippMsrp, contactPort: number, over: Record<string, string> = {}): Record<string, string> {
  return { ...networkKeys(over), focus_port: String(contactPort), reason: 'SIP;cause=200', ...msrp.keys, ...over };
}

export function networkKeys(over: Record<string, string> = {}): Record<string, string> {
  return {
    from_user: 'cf',
    focus: 'group1',
    contact_params: ';isfocus',
    icsi: SESSION_ICSI,
    contribution: `contrib-${Math.random().toString(36).slice(2, 10)}`,
    conversation: 'conv-1',
    ...over,
  };
}

/** The SIP requests of this method SIPp received, as text. */
export function received(run: SippRun, method: string): string[] {
  return run.trace
    .split(/-{20,}/)
    .filter((block) => /message received/.test(block) && new RegExp(`\\n\\s*${method} \\S+ SIP/2\\.0`).test(block));
}

export function expectOk(run: SippRun, who: string): void {
  if (run.code !== 0) throw new Error(`${who} SIPp failed (${run.code}):\n${run.stderr.slice(-2000)}\n${run.trace.slice(-3000)}`);
}

export async function decisions(pf: Pf): Promise<Array<{ branch: string; outcome: string; procedure: string }>> {
  await pf.decisions.flush();
  return decisionsInOrder(pf.db.store);
}

export async function onlySession(pf: Pf) {
  // as the console reads it once told of the change: after the write behind the step (D-306)
  await pf.sessionsWritten();
  const sessions = await listSessions(pf.db.store);
  if (sessions.length !== 1) throw new Error(`expected one session, found ${sessions.length}`);
  const s = (await getSession(pf.db.store, sessions[0].id))!;
  // the snapshot as stored (JSON), as the tests read it
  return { ...s, snapshot: JSON.stringify(s.snapshot) };
}

export async function waitFor(cond: () => Promise<boolean> | boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(50);
  }
  return cond();
}
