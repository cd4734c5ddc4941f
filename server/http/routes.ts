// The console's JSON API: `METHOD /path` → handler. Handlers get the running PF, so what they
// show is the live engine state and what they change takes effect at once (pf.policyChanged).
import type { IncomingMessage } from 'node:http';
import { consoleServices } from '../live/console-services';
import type { Pf } from '../pf';
import type { ApiRoute } from './api';
import { notFound } from './http-error';
import { POLICY_FIELDS } from './policy-fields';
import { auditFor } from './queries/audit';
import { searchDecisions } from './queries/decisions';
import { messageStoreOf } from './queries/message-store';
import { overview } from './queries/overview';
import { auditTargetOf, deleteRule, effectivePrefs, parseRuleInput, rulesOf, saveRule } from './queries/policy-rules';
import { readProviderPolicy, saveProviderPolicy } from './queries/provider-policy';
import { listSessions, sessionDetail } from './queries/sessions';
import { createPeer, deletePeer, listPeers, parsePeerInput, PEER_ROLES, updatePeer } from './queries/topology';
import { contactsOf, listUsersView } from './queries/users';
import { getUser, userIdOf } from '../store/users';
import { asObject, limitParam, oneOf, query, seqParam } from './validate';
import { DEFAULT_POLICY } from '../engine/policy';
import { checkProposal } from '../replay/proposal';
import { sessionSteps } from '../engine/replay/time-travel';
import { recordedCalls } from '../store/engine-recording';
import { WhatIfRuns, WINDOWS, type WhatIfRun, type WindowName } from '../replay/what-if-jobs';
import { badRequest, HttpError } from './http-error';

/** who made an edit: there are no operator accounts yet, so the console and the client address */
function actorOf(req: IncomingMessage): string {
  const name = req.headers['x-operator'];
  const who = typeof name === 'string' && /^[\w .@-]{1,60}$/.test(name) ? name : 'console';
  return `${who} (${req.socket.remoteAddress ?? 'unknown'})`;
}

export function consoleRoutes(pf: Pf): Record<string, ApiRoute> {
  const db = pf.db.store;
  const services = consoleServices(pf.bus, db);

  // The shell reloads its peer table when the PF offers this hook (see the console report).
  const topologyChanged = async () => (pf as Pf & { topologyChanged?: () => Promise<void> }).topologyChanged?.();

  const whatIfRuns = new WhatIfRuns(db, async () => {
    await pf.recorder?.flush();
  });
  /** what the page shows of a run (and what the audit keeps of it: at most AUDIT_GROUPS groups) */
  const runView = (r: WhatIfRun) => ({ id: r.id, state: r.state, window: r.window, progress: r.progress, diff: r.diff, error: r.error, target: r.target.kind === 'user-rule' ? { kind: r.target.kind, aor: r.target.aor } : { kind: r.target.kind } });
  const AUDIT_GROUPS = 50;

  const requireUser = async (aor: string) => {
    const id = await userIdOf(db, aor);
    if (!id) throw notFound(`${aor} is not a served user`);
    return id;
  };

  const routes: Record<string, ApiRoute> = {
    'GET /api/health': async () => ({
      sip: { ...pf.sipAddress, embeddedEdge: Boolean(pf.edge), edge: pf.edge?.stats() },
      database: pf.db.provider,
      registrations: pf.registrar.count(Date.now()),
    }),
    'GET /api/overview': async () => overview(pf, services),

    'GET /api/decisions': async ({ url }) => {
      // the log writes in batches: what was decided a moment ago must be searchable now
      await pf.decisions.flush();
      return searchDecisions(
        db,
        {
          seq: seqParam(url),
          user: query(url, 'user'),
          messageId: query(url, 'messageId'),
          disposition: query(url, 'disposition'),
          outcome: query(url, 'outcome'),
          procedure: query(url, 'procedure'),
          branch: query(url, 'branch'),
          callId: query(url, 'callId'),
        },
        limitParam(url, 200, 1000),
      );
    },

    'GET /api/users': async ({ url }) => ({ users: await listUsersView(db, pf.registrar, query(url, 'q'), Date.now()) }),
    'GET /api/users/:aor': async ({ params }) => {
      const userId = await requireUser(params.aor);
      const user = await getUser(db, userId);
      const rules = await rulesOf(db, userId);
      return {
        aor: user!.aor,
        displayName: user!.displayName,
        createdAt: user!.createdAt.toISOString(),
        contacts: contactsOf(pf.registrar, params.aor, Date.now()),
        rules,
        effective: effectivePrefs(rules),
        audit: await auditFor(db, { target: auditTargetOf(userId) }),
      };
    },
    'PUT /api/users/:aor/rules': async ({ req, params, body }) => {
      const input = parseRuleInput(await body());
      await saveRule(db, await requireUser(params.aor), input, actorOf(req));
      await pf.policyChanged(params.aor);
      return { ok: true };
    },
    'DELETE /api/users/:aor/rules/:ruleId': async ({ req, params }) => {
      await deleteRule(db, await requireUser(params.aor), params.ruleId, actorOf(req));
      await pf.policyChanged(params.aor);
      return { ok: true };
    },

    'GET /api/provider-policy': async () => ({
      ...(await readProviderPolicy(db)),
      defaults: DEFAULT_POLICY,
      inForce: pf.state.policy,
      fields: POLICY_FIELDS,
      audit: await auditFor(db, { target: 'provider-policy' }),
    }),
    'PUT /api/provider-policy': async ({ req, body }) => {
      const saved = await saveProviderPolicy(db, await body(), actorOf(req));
      await pf.policyChanged(null);
      return saved;
    },

    // What-if (issue 20): a proposed provider policy or user rule replayed over the recorded last hour or day.
    'POST /api/what-if': async ({ body }) => {
      if (!pf.recorder) throw new HttpError(409, 'the PF does not record its engine inputs (PF_RECORD=off), so there is nothing to replay');
      const o = asObject(await body());
      const name = oneOf({ window: 'hour', ...o }, 'window', Object.keys(WINDOWS) as WindowName[]);
      if (o.user !== undefined) {
        const aor = String(o.user);
        const userId = await requireUser(aor);
        const rule = parseRuleInput(o.rule);
        const rules = [...(await rulesOf(db, userId)).filter((r) => r.ruleId !== rule.ruleId), { ...rule, updatedAt: '' }];
        const e = effectivePrefs(rules);
        const prefs = { allowOfflineStorage: e.allowOfflineStorage, allowStore: e.allowStore, allowDefer: e.allowDefer, hasCpmOfflineStorageRule: e.hasCpmOfflineStorageRule, source: 'XDMS' as const };
        return runView(whatIfRuns.start({ kind: 'user-rule', aor, rule: o.rule }, { prefs: { [aor]: prefs } }, name));
      }
      const checked = checkProposal({ policy: o.policy });
      if (!checked.ok) throw badRequest(checked.errors[0], checked.errors.map((m) => ({ field: /^policy (\S+):/.exec(m)?.[1] ?? '', message: m })));
      return runView(whatIfRuns.start({ kind: 'provider-policy', policy: o.policy }, checked.proposal, name));
    },
    'GET /api/what-if/:id': async ({ params }) => {
      const r = whatIfRuns.get(params.id);
      if (!r) throw notFound('this what-if run is not known (it may be too old): run it again');
      return runView(r);
    },
    'POST /api/what-if/:id/apply': async ({ req, params }) => {
      const r = whatIfRuns.applicable(params.id);
      if (typeof r === 'string') throw new HttpError(409, r);
      const actor = actorOf(req);
      // the change and the diff the operator was shown are audited in one transaction (D-270)
      const diff = r.diff!;
      const alsoAudit = { action: 'what-if.applied', after: { window: r.window, calls: diff.calls, changedCalls: diff.changedCalls, lookupMisses: diff.lookupMisses, groups: diff.groups.slice(0, AUDIT_GROUPS), moreGroups: Math.max(0, diff.groups.length - AUDIT_GROUPS) } };
      if (r.target.kind === 'provider-policy') {
        await saveProviderPolicy(db, r.target.policy, actor, { alsoAudit });
        await pf.policyChanged(null);
      } else {
        const userId = await requireUser(r.target.aor);
        await saveRule(db, userId, parseRuleInput(r.target.rule), actor, { alsoAudit });
        await pf.policyChanged(r.target.aor);
      }
      r.state = 'applied';
      return runView(r);
    },
    'POST /api/what-if/:id/discard': async ({ params }) => {
      const r = whatIfRuns.get(params.id);
      if (!r) throw notFound('this what-if run is not known');
      if (r.state === 'done' || r.state === 'running') r.state = 'discarded';
      return runView(r);
    },

    'GET /api/sessions': async ({ url }) => ({
      sessions: await listSessions(db, { user: query(url, 'user'), type: query(url, 'type'), state: query(url, 'state'), callId: query(url, 'callId') }),
    }),
    'GET /api/sessions/:id': async ({ params }) => {
      const session = await sessionDetail(db, params.id);
      const callIds = session.legsList.map((l) => l.callId);
      await pf.decisions.flush();
      const { decisions } = await searchDecisions(db, { session: { id: session.id, callIds } }, 1000);
      return { session, messages: services.trace.of(session.id, callIds), decisions: decisions.reverse() };
    },

    // Time travel (issue 20): the session's recorded engine inputs, each with the session before and after it.
    'GET /api/sessions/:id/inputs': async ({ params }) => {
      const session = await sessionDetail(db, params.id);
      if (!pf.recorder) return { recording: false, steps: [] };
      await pf.recorder.flush();
      // a minute of margin: a call's time is the engine's `now`, taken just before the session row was written
      const from = new Date(Date.parse(session.createdAt) - 60_000);
      const to = new Date(session.endedAt ? Date.parse(session.endedAt) + 300_000 : Date.now() + 1000);
      // the invitation and its fork are found by the legs' Call-IDs (they were decided before the session had an id)
      return { recording: true, steps: sessionSteps(await recordedCalls(db, from, to), session.id, session.legsList.map((l) => l.callId)) };
    },

    'GET /api/store/:aor': async ({ params }) => messageStoreOf(db, params.aor),

    'GET /api/topology': async () => ({
      domain: pf.config.domain,
      sip: { ...pf.sipAddress, transports: pf.config.sip.transports },
      roles: PEER_ROLES,
      peers: await listPeers(db),
      audit: await auditFor(db, { actionPrefix: 'peer.' }),
    }),
    'POST /api/peers': async ({ req, body }) => {
      const peer = await createPeer(db, parsePeerInput(await body()), actorOf(req));
      await topologyChanged();
      return { peer };
    },
    'PUT /api/peers/:id': async ({ req, params, body }) => {
      const peer = await updatePeer(db, params.id, parsePeerInput(await body()), actorOf(req));
      await topologyChanged();
      return { peer };
    },
    'DELETE /api/peers/:id': async ({ req, params }) => {
      await deletePeer(db, params.id, actorOf(req));
      await topologyChanged();
      return { ok: true };
    },
  };

  // Test-only: lets a browser test cut every console socket mid-stream (reconnect test).
  if (process.env.PF_TEST_HOOKS === '1') {
    routes['POST /api/test/drop-sockets'] = async () => {
      pf.bus.emit('sockets:drop');
      return { ok: true };
    };
    // Publishes a live event as the SIP shell would, to prove the gateway-to-page path.
    routes['POST /api/test/live-event'] = async ({ body }) => {
      const o = asObject(await body());
      const event = oneOf(o, 'event', ['session:updated', 'leg:updated', 'sip:message', 'registration:changed'] as const);
      const payload = asObject(o.payload, 'payload');
      (pf.bus.emit as (e: string, p: unknown) => boolean)(event, payload);
      return { ok: true };
    };
  }
  return routes;
}
