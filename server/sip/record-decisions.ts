// Every engine decision goes to the decision log (batched to the database) and to the live bus.
import type { Decision } from '../engine/decision';
import type { LiveBus } from '../live/bus';
import type { DecisionLog } from '../store/decision-log';

export type DecisionSink = (decisions: Decision[], ctx: { callId?: string; now: number }) => void;

export function decisionSink(log: DecisionLog, bus: LiveBus): DecisionSink {
  return (decisions, ctx) => {
    for (const d of decisions) {
      const rec = log.append({
        at: new Date(ctx.now).toISOString(),
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
