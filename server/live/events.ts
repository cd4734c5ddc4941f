// Typed events shared by the server and the console. Socket event names are `domain:past-tense`.
// Everything here is plain JSON: it crosses the socket and the API unchanged.
import type { Overview } from '../http/queries/overview';

export interface DecisionRecord {
  /**
   * event id: unique across PF instances, increasing within each instance and following the clock
   * across them (D-230); clients resume per instance without gaps
   */
  seq: number;
  /** the PF instance that made the decision (its name, config.instance) */
  instance?: string;
  at: string; // ISO time
  servedUser: string | null;
  procedure: string;
  branch: string;
  outcome: string;
  summary: string;
  messageId: string | null;
  disposition: string | null;
  callId: string | null;
  /** the CPM session the decision belongs to, when the engine knows it */
  sessionId?: string | null;
  inputs: Record<string, unknown>;
}

/** A decoded SIP Reason header (RFC 3326), as the console shows it. */
export interface DecodedReason {
  raw: string;
  protocol: string | null;
  cause: number | null;
  text: string | null;
  /** the cause in words, e.g. "SIP 480 Temporarily Unavailable", "Q.850 16 normal call clearing" */
  meaning: string;
}

export interface LegView {
  id: string;
  sessionId: string;
  kind: string; // CLIENT | CF | REMOTE_PF | IWF
  device: string | null;
  callId: string;
  state: string; // CONNECTED | TERMINATING | TERMINATED
  reason: DecodedReason | null;
  createdAt: string;
  releasedAt: string | null;
}

export interface SessionSummary {
  id: string;
  servedUser: string;
  type: string; // ONE_TO_ONE | GROUP
  mode: string; // ACTIVE | REMAIN_DISCONNECTED | RELEASED
  conversationId: string;
  contributionId: string;
  groupSessionIdentity: string | null;
  legs: number;
  connectedLegs: number;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

/** One SIP message the PF sent or received on a leg, for the session ladder. */
export interface SipMessageRecord {
  /** event id within this process: increasing */
  seq: number;
  at: string;
  sessionId: string | null;
  legId: string | null;
  callId: string;
  direction: 'in' | 'out';
  /** the far end: the leg kind or an address (e.g. "CLIENT", "CF", "127.0.0.1:5070") */
  peer: string;
  /** request method, or the method of the request this response answers */
  method: string;
  /** response status; absent for requests */
  status?: number;
  /** first line, e.g. "BYE sip:alice@…" or "200 OK" */
  firstLine: string;
  cseq: string;
  /** a Reason header carried by the message, when any */
  reason?: string;
}

export interface RegistrationChange {
  aor: string;
  contacts: number;
}

export interface ServerToClientEvents {
  'decision:made': (d: DecisionRecord) => void;
  /** to watchers of the overview, once a second (one computation for all of them) */
  'overview:updated': (o: Overview) => void;
  /** answer to `decisions:resume`: the decisions after the client's last seq, oldest first */
  'decisions:replayed': (batch: { decisions: DecisionRecord[]; complete: boolean }) => void;
  /** to watchers of the session list and of that session */
  'session:updated': (s: SessionSummary) => void;
  /** to watchers of the session: a leg was added or changed state */
  'leg:updated': (l: LegView) => void;
  /** to watchers of the session: a leg reached TERMINATED (also sent as leg:updated) */
  'leg:released': (l: LegView) => void;
  /** to watchers of the session the message belongs to */
  'sip:message': (m: SipMessageRecord) => void;
  'registration:changed': (r: RegistrationChange) => void;
}

export interface ClientToServerEvents {
  /**
   * Replay the decisions after `afterSeq` (per instance after `after[instance]`, D-230), then stream live ones. With `tail` and afterSeq 0 the
   * replay is the newest `limit` decisions instead of the oldest (first load of a long log).
   */
  'decisions:resume': (req: { afterSeq: number; limit?: number; tail?: boolean; after?: Record<string, number> }) => void;
  'overview:watch': () => void;
  'overview:unwatch': () => void;
  /** `joined` is called once the socket is in the room: a snapshot fetched after it misses nothing */
  'sessions:watch': (joined?: () => void) => void;
  'sessions:unwatch': () => void;
  'session:watch': (req: { id: string }, joined?: () => void) => void;
  'session:unwatch': (req: { id: string }) => void;
}
