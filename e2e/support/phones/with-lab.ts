// The frame every phone test shares: a fresh PF and a phone lab on it; a failure carries the PF's
// decision log; every phone and the PF are stopped whatever happened.
import type { Pf } from '../../../server/pf';
import { startTestPf } from '../test-pf';
import { withDecisions } from './decisions';
import { PhoneLab } from './lab';

export async function withPhoneLab(fn: (pf: Pf, lab: PhoneLab) => Promise<void>): Promise<void> {
  // The phones meet the PF's overload control when the machine running the suite is starved of
  // CPU (a CI run saw REGISTER answered 503 Retry-After: 1, which baresip does not retry for
  // minutes). These tests are about interworking with stock phones, not overload (that is
  // e2e/faults' and the bench's), so the event-loop-lag trigger is set well above what a busy
  // test machine shows; the pending-requests bound stays at its default.
  const pf = await startTestPf({ PF_OVERLOAD_MAX_LAG_MS: '5000' });
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
