// In-process event bus between the SIP shell and the socket.io gateway. The shell publishes
// facts after they are durable; the gateway turns them into socket events (server/live/events.ts).
import { EventEmitter } from 'node:events';
import type { DecisionRecord, RegistrationChange, SipMessageRecord } from './events';

export interface LiveEvents {
  decision: [DecisionRecord];
  /** a session was created or changed (mode, legs, roster), after it was written to the database */
  'session:updated': [{ sessionId: string }];
  /** a leg was added or changed state (TERMINATED = released), after it was written to the database */
  'leg:updated': [{ sessionId: string; legId: string }];
  /** a SIP message sent or received on a session's leg; the gateway numbers it */
  'sip:message': [Omit<SipMessageRecord, 'seq'>];
  /** internal: the same message once numbered by the console's SIP trace */
  'sip:traced': [SipMessageRecord];
  'registration:changed': [RegistrationChange];
  /** test hook (PF_TEST_HOOKS=1): the gateway drops every console socket */
  'sockets:drop': [];
}

export class LiveBus extends EventEmitter<LiveEvents> {}
