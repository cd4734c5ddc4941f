// The ladder of a demo run: every SIP message the scripted peers sent or received, in the order
// they saw them, plus narrative steps. Listeners get entries as they happen (console, CLI).

export interface LadderEntry {
  seq: number;
  /** ms since the run started */
  t: number;
  kind: 'sip' | 'step';
  from: string;
  to: string;
  /** request method, or the method a response answers */
  method?: string;
  status?: number;
  /** "MESSAGE sip:alice@example.com" or "200 OK"; for steps, the narrative */
  label: string;
  callId?: string;
  /** what the message carries that matters to the story: disposition, Reason, Event ... */
  note?: string;
}

export class Ladder {
  readonly entries: LadderEntry[] = [];
  private readonly listeners = new Set<(e: LadderEntry) => void>();
  private readonly start = Date.now();

  onEntry(fn: (e: LadderEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  add(e: Omit<LadderEntry, 'seq' | 't'>): void {
    const entry = { ...e, seq: this.entries.length + 1, t: Date.now() - this.start };
    this.entries.push(entry);
    for (const fn of this.listeners) fn(entry);
  }

  step(text: string): void {
    this.add({ kind: 'step', from: '', to: '', label: text });
  }
}
