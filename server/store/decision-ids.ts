// Decision event ids that several PF instances sharing one database hand out without asking each
// other (issue 19, D-230). An id is `tick * SLOTS + slot`: `slot` is the instance's own number,
// claimed once in the database (DecisionSlot), and `tick` is a clock of 0.1 ms since 2026 that
// never repeats or goes back within an instance. So ids are unique across instances, increase
// within each instance (a console resumes each instance exactly), and are ordered by time across
// instances up to clock skew (the console's newest-first list stays meaningful).
// Pure: the clock is passed in.

export const SLOTS = 256;
const TICKS_PER_MS = 10;
const EPOCH_MS = Date.UTC(2026, 0, 1);

/** the largest id this scheme reaches before 2^53 (Number.MAX_SAFE_INTEGER): about the year 2137 */
export const LAST_SAFE_TICK = Math.floor(Number.MAX_SAFE_INTEGER / SLOTS);

export class DecisionIds {
  private lastTick: number;

  /** `above`: every id already stored, by any instance; the next id is greater */
  constructor(
    readonly slot: number,
    above: number,
    private readonly now: () => number,
  ) {
    if (!Number.isInteger(slot) || slot < 0 || slot >= SLOTS) throw new RangeError(`decision id slot must be 0..${SLOTS - 1}, got ${slot}`);
    this.lastTick = Math.floor(above / SLOTS);
  }

  next(): number {
    // a burst faster than one id a tick runs ahead of the clock; the clock catches up after it
    const tick = Math.max(this.lastTick + 1, Math.floor((this.now() - EPOCH_MS) * TICKS_PER_MS));
    if (tick > LAST_SAFE_TICK) throw new RangeError('decision ids exhausted (past 2^53)');
    this.lastTick = tick;
    return tick * SLOTS + this.slot;
  }
}

/**
 * The Decision row's primary key for event id `seq` (D-315): its digits, fixed-width so text order
 * is numeric order, after an `s` that sorts it past every random UUID older rows were given. New
 * rows then append to the key's index instead of landing on a random page of it.
 */
export function decisionRowId(seq: number): string {
  return `s${String(seq).padStart(16, '0')}`;
}

/** a running instance renews its slot this often; one silent for SLOT_IDLE_MS may be taken over */
export const SLOT_RENEW_MS = 3_600_000;
export const SLOT_IDLE_MS = 24 * SLOT_RENEW_MS;

export interface SlotHolder {
  instance: string;
  slot: number;
  seenAt: Date;
}

/**
 * When every slot is taken: the one whose instance has been silent longest, if that is over a day
 * (a running instance renews hourly, so it is gone: e.g. a container that got a new host name).
 * Its ids are never reused: the taker numbers above everything stored.
 */
export function reclaimableSlot(holders: SlotHolder[], now: number): SlotHolder | undefined {
  let oldest: SlotHolder | undefined;
  for (const h of holders) if (!oldest || h.seenAt.getTime() < oldest.seenAt.getTime()) oldest = h;
  return oldest && now - oldest.seenAt.getTime() > SLOT_IDLE_MS ? oldest : undefined;
}

/** the lowest slot not in `taken`, or undefined when all are */
export function freeSlot(taken: Iterable<number>): number | undefined {
  const used = new Set(taken);
  for (let s = 0; s < SLOTS; s++) if (!used.has(s)) return s;
  return undefined;
}
