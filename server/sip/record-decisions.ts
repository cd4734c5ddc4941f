// Every engine decision goes to the decision log (batched to the database) and to the live bus,
// and to the debug log (where it carries the request's Call-ID and served user, D-224).
import type { Decision } from '../engine/decision';
import { logsDebug, type Logger } from '../log';
import type { LiveBus } from '../live/bus';
import type { DecisionLog } from '../store/decision-log';

export type DecisionSink = (decisions: Decision[], ctx: { callId?: string; now: number }) => void;

export function decisionSink(log: DecisionLog, bus: LiveBus, debug?: Logger): DecisionSink {
  return (decisions, ctx) => {
    if (decisions.length === 0) return;
    const at = new Date(ctx.now).toISOString();
    const debugLines = debug !== undefined && logsDebug();
    for (const d of decisions) {
      if (debugLines) debug.debug(`decision ${d.branch} ${d.outcome}: ${d.summary}`);
      const rec = log.append({
        at,
        servedUser: d.servedUser ?? null,
        procedure: d.procedure,
        branch: d.branch,
        outcome: d.outcome,
        summary: d.summary,
        messageId: d.messageId ?? null,
        disposition: d.disposition ?? null,
        callId: d.callId ?? ctx.callId ?? null,
        sessionId: d.sessionId ?? null,
        inputs: d.inputs,
      });
      bus.emit('decision', rec);
    }
  };
}
