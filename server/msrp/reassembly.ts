// Chunk reassembly (RFC 4975 §5.1, §7.3.1): a pure accumulator of SEND chunks keyed by
// Message-ID that gives back the whole message once every byte of it arrived. Chunks may come
// out of order or twice; '#' aborts the message; Byte-Range '*' forms are accepted (the total is
// learnt from a chunk that states it or from the last chunk, flagged '$'). A message larger
// than maxMessageBytes is refused as soon as that is known. Time is an input (sans-IO).
import type { MsrpRequest } from './message';

export interface WholeMessage {
  messageId: string;
  contentType?: string;
  body: Buffer;
  /** the first chunk (byte 1) without its body: paths, report headers, other MIME headers */
  head: Omit<MsrpRequest, 'body'>;
  chunks: number;
}

export type ChunkResult =
  | { type: 'partial'; received: number; total?: number }
  | { type: 'complete'; message: WholeMessage }
  /** every byte of this chunk was already received (or the message was already complete) */
  | { type: 'duplicate' }
  | { type: 'aborted'; messageId: string }
  | { type: 'too-large'; messageId: string; size: number }
  | { type: 'invalid'; reason: string };

export interface ReassemblyLimits {
  /** bytes of one whole message (default 10 MiB) */
  maxMessageBytes: number;
  /** messages in progress at once; the least recently fed is dropped beyond it (default 32) */
  maxInProgress: number;
  /** a message no chunk of which arrived for this long is dropped by expire() (default 120 s) */
  idleMs: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = { maxMessageBytes: 10 * 1024 * 1024, maxInProgress: 32, idleMs: 120_000 };

interface Piece { start: number; data: Buffer }
interface InProgress {
  pieces: Piece[];
  /** covered byte intervals [from, to] (1-based, inclusive), sorted and merged */
  covered: Array<[number, number]>;
  stored: number;
  total?: number;
  head?: Omit<MsrpRequest, 'body'>;
  anyHead: Omit<MsrpRequest, 'body'>;
  chunks: number;
  lastSeen: number;
}

const REMEMBER_DONE = 512;

export class Reassembler {
  private readonly inProgress = new Map<string, InProgress>();
  /** ids completed, aborted or refused lately: later chunks of them are duplicates or refused */
  private readonly done = new Map<string, 'complete' | 'aborted' | 'too-large'>();
  readonly limits: ReassemblyLimits;
  /** messages dropped for maxInProgress or idleness */
  dropped = 0;

  constructor(limits: Partial<ReassemblyLimits> = {}) {
    this.limits = { ...DEFAULT_REASSEMBLY_LIMITS, ...limits };
  }

  get size(): number { return this.inProgress.size; }
  /** bytes held for messages in progress */
  get heldBytes(): number { let n = 0; for (const m of this.inProgress.values()) n += m.stored; return n; }

  add(chunk: MsrpRequest, now: number): ChunkResult {
    const id = chunk.messageId;
    if (!id) return { type: 'invalid', reason: 'no Message-ID' };
    const prior = this.done.get(id);
    if (prior === 'complete') return { type: 'duplicate' };
    if (prior === 'too-large') return { type: 'too-large', messageId: id, size: 0 };
    const data = chunk.body ?? Buffer.alloc(0);
    const start = chunk.byteRange?.start ?? 1;
    const end = start + data.length - 1;
    const br = chunk.byteRange;
    if (br && br.end !== '*' && br.end < end) return { type: 'invalid', reason: `Byte-Range ends at ${br.end} but the chunk holds bytes ${start}-${end}` };
    let total: number | undefined = br && br.total !== '*' ? br.total : undefined;
    if (chunk.continuation === '$') {
      if (total !== undefined && total !== end) return { type: 'invalid', reason: `last chunk ends at ${end}, total ${total}` };
      total = end;
    }
    if (total !== undefined && end > total) return { type: 'invalid', reason: `bytes ${start}-${end} beyond total ${total}` };
    if (chunk.continuation === '#') {
      this.inProgress.delete(id);
      this.remember(id, 'aborted');
      return { type: 'aborted', messageId: id };
    }
    const size = Math.max(total ?? 0, end);
    if (size > this.limits.maxMessageBytes) return this.refuse(id, size);

    let m = this.inProgress.get(id);
    const { body: _b, ...head } = chunk;
    if (!m) {
      if (prior === 'aborted') this.done.delete(id);
      m = { pieces: [], covered: [], stored: 0, anyHead: head, chunks: 0, lastSeen: now };
      this.inProgress.set(id, m);
      while (this.inProgress.size > this.limits.maxInProgress) {
        let oldest: string | undefined;
        let at = Infinity;
        for (const [k, v] of this.inProgress) if (v.lastSeen < at) { at = v.lastSeen; oldest = k; }
        if (oldest === undefined || oldest === id) break;
        this.inProgress.delete(oldest);
        this.dropped++;
      }
    }
    m.lastSeen = now;
    if (m.total !== undefined && total !== undefined && m.total !== total) return { type: 'invalid', reason: `total ${total} differs from ${m.total}` };
    if (total !== undefined) m.total = total;
    if (start === 1) m.head = head;
    if (data.length && !covers(m.covered, start, end)) {
      if (m.stored + data.length > 2 * this.limits.maxMessageBytes) return this.refuse(id, m.stored + data.length);
      m.pieces.push({ start, data });
      m.stored += data.length;
      m.covered = addInterval(m.covered, start, end);
      m.chunks++;
    } else if (data.length || m.chunks > 0) {
      if (!(m.total === 0 || (m.total !== undefined && isWhole(m.covered, m.total)))) return { type: 'duplicate' };
    }
    if (m.total !== undefined && (m.total === 0 || isWhole(m.covered, m.total))) {
      const body = Buffer.alloc(m.total);
      for (const p of m.pieces) p.data.copy(body, p.start - 1, 0, Math.min(p.data.length, m.total - p.start + 1));
      this.inProgress.delete(id);
      this.remember(id, 'complete');
      const h = m.head ?? m.anyHead;
      return { type: 'complete', message: { messageId: id, contentType: h.contentType, body, head: h, chunks: Math.max(1, m.chunks) } };
    }
    return { type: 'partial', received: m.covered.reduce((n, [a, b]) => n + b - a + 1, 0), total: m.total };
  }

  /** Drops messages idle for limits.idleMs; returns their ids. */
  expire(now: number): string[] {
    const out: string[] = [];
    for (const [k, v] of this.inProgress) {
      if (now - v.lastSeen >= this.limits.idleMs) { this.inProgress.delete(k); out.push(k); this.dropped++; }
    }
    return out;
  }

  /** Forgets everything (the session ended). */
  clear(): void { this.inProgress.clear(); this.done.clear(); }

  private refuse(id: string, size: number): ChunkResult {
    this.inProgress.delete(id);
    this.remember(id, 'too-large');
    return { type: 'too-large', messageId: id, size };
  }

  private remember(id: string, what: 'complete' | 'aborted' | 'too-large'): void {
    this.done.delete(id);
    this.done.set(id, what);
    if (this.done.size > REMEMBER_DONE) this.done.delete(this.done.keys().next().value as string);
  }
}

function covers(iv: Array<[number, number]>, a: number, b: number): boolean {
  return iv.some(([x, y]) => x <= a && b <= y);
}

function isWhole(iv: Array<[number, number]>, total: number): boolean {
  return iv.length === 1 && iv[0][0] === 1 && iv[0][1] >= total;
}

function addInterval(iv: Array<[number, number]>, a: number, b: number): Array<[number, number]> {
  const all = [...iv, [a, b] as [number, number]].sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [x, y] of all) {
    const last = out[out.length - 1];
    if (last && x <= last[1] + 1) last[1] = Math.max(last[1], y);
    else out.push([x, y]);
  }
  return out;
}
