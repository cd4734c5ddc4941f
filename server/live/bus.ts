// In-process event bus between the SIP shell and the socket.io gateway.
import { EventEmitter } from 'node:events';
import type { DecisionRecord } from './events';

export interface LiveEvents {
  decision: [DecisionRecord];
}

export class LiveBus extends EventEmitter<LiveEvents> {}
