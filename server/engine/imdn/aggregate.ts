// IMDN-DLV-3 (SPEC §8): IMDNs for a client that accepts aggregates are buffered per (client
// contact, Conversation-ID) and flushed as one multipart/mixed MESSAGE when maxPerBody is reached
// or the window timer fires. The buffers are plain data the shell keeps between calls.
import { decide, type Decision } from '../decision';
import { pfTimer, type Effect, type Headers } from '../effects';
import { formatMultipart } from '../parse/multipart';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';
import type { DeliveryPart, ImdnDelivery, ImdnFork } from './deliver';
import type { ClientRegistration } from './registration';

export interface AggregationBuffer {
  key: string;
  servedUser: string;
  contact: string;
  conversationId: string;
  /** START_TIMER name that flushes this buffer */
  timer: string;
  items: DeliveryPart[];
}

export type AggregationBuffers = Record<string, AggregationBuffer>;

export const AGGREGATION_TIMER_PREFIX = 'imdn-agg|';

function conversationOf(h: Headers): string {
  const v = h['Conversation-ID'];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** A boundary that does not occur in any part. */
export function boundaryFor(seed: string, bodies: string[]): string {
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  let b = `imdn-agg-${h.toString(36)}`;
  while (bodies.some((x) => x.includes(b))) b += 'x';
  return b;
}

/** The multipart/mixed request body for aggregated IMDNs (§12.2.5): one message/cpim part each. */
export function aggregateBody(seed: string, raws: string[]): { contentType: string; body: string } {
  const boundary = boundaryFor(seed, raws);
  return {
    contentType: `multipart/mixed;boundary=${boundary}`,
    body: formatMultipart(boundary, raws.map((raw) => ({ headers: [{ name: 'Content-Type', value: 'message/cpim' }], body: raw }))),
  };
}

function flush(buf: AggregationBuffer, deliveryId: string, why: string): EngineResult & { delivery: ImdnDelivery } {
  const fork: ImdnFork = { id: `${deliveryId}:0`, contact: buf.contact, parts: buf.items.map((_, i) => i), state: 'PENDING' };
  const body = buf.items.length === 1 ? { contentType: buf.items[0].part.contentType, body: buf.items[0].part.raw } : aggregateBody(deliveryId, buf.items.map((i) => i.part.raw));
  const effects: Effect[] = [
    { kind: 'SEND_REQ', leg: fork.id, method: 'MESSAGE', uri: buf.contact, headers: { ...buf.items[0].sipHeaders, 'Content-Type': body.contentType }, body: body.body },
  ];
  const decisions: Decision[] = [
    decide({
      branch: 'IMDN-DLV-3',
      procedure: 'IMDN-DLV',
      outcome: 'FLUSH',
      summary: `${buf.items.length} buffered notification(s) are sent to ${buf.contact} in one request (${why}).`,
      inputs: { contact: buf.contact, conversationId: buf.conversationId, parts: buf.items.length, reason: why },
      servedUser: buf.servedUser,
    }),
  ];
  return {
    effects,
    decisions,
    delivery: { id: deliveryId, servedUser: buf.servedUser, parts: buf.items, forks: [fork], answered: true, storedParts: [], settled: false },
  };
}

export function bufferForAggregation(args: {
  buffers: AggregationBuffers;
  registration: ClientRegistration;
  parts: DeliveryPart[];
  policy: Policy;
  now: number;
  servedUser: string;
  deliveryId: string;
}): EngineResult & { buffers: AggregationBuffers; flushed: ImdnDelivery[] } {
  const { policy } = args;
  const buffers: AggregationBuffers = { ...args.buffers };
  const effects: Effect[] = [];
  const decisions: Decision[] = [];
  const flushed: ImdnDelivery[] = [];
  const max = Math.max(1, policy.imdnAggregation.maxPerBody);
  for (const p of args.parts) {
    const conversationId = conversationOf(p.sipHeaders);
    const key = `${args.servedUser}|${args.registration.contact}|${conversationId}`;
    const existing = buffers[key];
    const buf: AggregationBuffer = existing
      ? { ...existing, items: [...existing.items, p] }
      : { key, servedUser: args.servedUser, contact: args.registration.contact, conversationId, timer: `${AGGREGATION_TIMER_PREFIX}${key}`, items: [p] };
    if (!existing) effects.push({ kind: 'START_TIMER', timer: pfTimer(buf.timer), ms: policy.imdnAggregation.windowMs });
    decisions.push(
      decide({
        branch: 'IMDN-DLV-3',
        procedure: 'IMDN-DLV',
        outcome: 'BUFFER',
        summary: `Aggregation is on and ${args.registration.contact} accepts aggregates: the notification waits up to ${policy.imdnAggregation.windowMs} ms with ${buf.items.length - 1} other(s).`,
        inputs: {
          contact: args.registration.contact,
          conversationId,
          buffered: buf.items.length,
          'policy.imdnAggregation': policy.imdnAggregation,
          imdnAggregationTag: args.registration.imdnAggregation,
        },
        servedUser: args.servedUser,
        messageId: p.part.imdn?.messageId,
      }),
    );
    if (buf.items.length >= max) {
      effects.push({ kind: 'CANCEL_TIMER', timer: pfTimer(buf.timer) });
      const f = flush(buf, `${args.deliveryId}:agg${flushed.length}`, `maxPerBody ${max} reached`);
      effects.push(...f.effects);
      decisions.push(...f.decisions);
      flushed.push(f.delivery);
      delete buffers[key];
    } else {
      buffers[key] = buf;
    }
  }
  return { effects, decisions, buffers, flushed };
}

/** The window timer fired: send what the buffer holds. Unknown timers do nothing. */
export function flushImdnAggregate(args: { buffers: AggregationBuffers; timer: string; deliveryId: string }): EngineResult & {
  buffers: AggregationBuffers;
  delivery?: ImdnDelivery;
} {
  const entry = Object.values(args.buffers).find((b) => b.timer === args.timer);
  if (!entry || entry.items.length === 0) return { effects: [], decisions: [], buffers: args.buffers };
  const buffers = { ...args.buffers };
  delete buffers[entry.key];
  const f = flush(entry, args.deliveryId, 'collection window expired');
  return { effects: f.effects, decisions: f.decisions, buffers, delivery: f.delivery };
}
