// The frame every phone test shares: a fresh PF and a phone lab on it; a failure carries the PF's
// decision log; every phone and the PF are stopped whatever happened.
import type { Pf } from '../../../server/pf';
import { startTestPf } from '../test-pf';
import { withDecisions } from './decisions';
import { PhoneLab } from './lab';

export async function withPhoneLab(fn: (pf: Pf, lab: PhoneLab) => Promise<void>): Promise<void> {
  // A CI run once saw a phone's REGISTER answered 503 Retry-After: 1 on a starved machine, which
  // baresip does not retry for minutes: startTestPf sets the event-loop-lag trigger above what a
  // busy test machine shows (the pending-requests bound stays).
  const pf = await startTestPf();
  const lab = new PhoneLab(pf.sipAddress.port);
  try {
    await fn(pf, lab);
  } catch (e) {
    throw await withDecisions(e, pf);
  } finally {
    lab.stop();
    await pf.stop();
  }
}
