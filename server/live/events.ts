// Typed events shared by the server and the console. Socket event names are `domain:past-tense`.

export interface DecisionRecord {
  /** event id: strictly increasing, used by clients to resume without gaps */
  seq: number;
  at: string; // ISO time
  servedUser: string | null;
  procedure: string;
  branch: string;
  outcome: string;
  summary: string;
  messageId: string | null;
  disposition: string | null;
  callId: string | null;
  inputs: Record<string, unknown>;
}

export interface ServerToClientEvents {
  'decision:made': (d: DecisionRecord) => void;
  /** answer to `decisions:resume`: the decisions after the client's last seq, oldest first */
  'decisions:replayed': (batch: { decisions: DecisionRecord[]; complete: boolean }) => void;
}

export interface ClientToServerEvents {
  'decisions:resume': (req: { afterSeq: number; limit?: number }) => void;
}
