// Demo flows from the console: list them, start a run, follow it. A run plays real SIP against this
// very PF (its SIP address, and its console reached through the request's own Host), so what the
// page shows is what the PF really did. Runs are kept in memory, newest 20.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FLOWS, flowById } from '../demo/flows';
import type { LadderEntry } from '../demo/ladder';
import type { Flow } from '../demo/flow';
import { runFlow, type FlowResult } from '../demo/run-flow';
import type { DecisionRecord } from '../live/events';
import type { Pf } from '../pf';
import type { ApiRoute } from './api';
import { badRequest, notFound } from './http-error';
import { asObject, str } from './validate';

/** a flow as the Demo page lists it: everything but the script */
export type FlowInfo = Omit<Flow, 'run' | 'forbidden'>;

export interface DemoRunView {
  id: string;
  flow: string;
  state: 'running' | 'passed' | 'failed';
  startedAt: string;
  ladder: LadderEntry[];
  decisions: DecisionRecord[];
  result?: FlowResult;
}

const KEEP = 20;

function consoleUrlOf(req: IncomingMessage): string {
  const addr = req.socket.localAddress ?? '127.0.0.1';
  const host = addr.includes(':') && !addr.startsWith('::ffff:') ? `[${addr}]` : addr.replace(/^::ffff:/, '');
  return `http://${host}:${req.socket.localPort}`;
}

export function demoRoutes(pf: Pf): Record<string, ApiRoute> {
  const runs = new Map<string, DemoRunView>();

  return {
    'GET /api/demo/flows': async () => ({
      flows: FLOWS.map((f): FlowInfo => ({ id: f.id, title: f.title, story: f.story, spec: f.spec, relies: f.relies, decisions: f.decisions })),
    }),
    'POST /api/demo/runs': async ({ req, body }) => {
      const id = str(asObject(await body()), 'flow', { max: 80 });
      const flow = flowById(id);
      if (!flow) throw badRequest(`no demo flow "${id}"`);
      const run: DemoRunView = { id: randomUUID(), flow: flow.id, state: 'running', startedAt: new Date().toISOString(), ladder: [], decisions: [] };
      runs.set(run.id, run);
      for (const old of [...runs.keys()].slice(0, Math.max(0, runs.size - KEEP))) runs.delete(old);
      const sip = { host: pf.sipAddress.host === '0.0.0.0' ? '127.0.0.1' : pf.sipAddress.host, port: pf.sipAddress.port };
      // The run reads the console as the operator who started it.
      void runFlow(flow, { sip, consoleUrl: consoleUrlOf(req), cookie: req.headers.cookie, domain: pf.config.domain }, {
        onLadder: (e) => run.ladder.push(e),
        onDecision: (d) => run.decisions.push(d),
      })
        .then((result) => {
          run.result = result;
          run.state = result.passed ? 'passed' : 'failed';
        })
        .catch((err: Error) => {
          run.state = 'failed';
          run.result = { flow: flow.id, title: flow.title, passed: false, error: err.message, checks: [], expected: [], forbidden: [], decisions: run.decisions, ladder: run.ladder, durationMs: 0 };
        });
      return { run: { id: run.id, flow: run.flow, state: run.state } };
    },
    'GET /api/demo/runs/:id': async ({ params }) => {
      const run = runs.get(params.id);
      if (!run) throw notFound(`no demo run ${params.id}`);
      return { run };
    },
  };
}
