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
