// Starts a test PF in this process and says how the start went, then returns without exiting:
// the process ends only when the PF left nothing running (e2e/sipp/start-failure.sip.test.ts).
// `node --import tsx e2e/support/start-pf-once.ts <sip port> <edge thread on|off> [msrp port]`
import { startTestPf } from './test-pf';

const [port, thread, msrpPort] = process.argv.slice(2);
try {
  const pf = await startTestPf({ SIP_PORT: port, PF_EDGE_THREAD: thread, ...(msrpPort ? { PF_MSRP_PORT: msrpPort } : {}) });
  console.log('STARTED');
  await pf.stop();
} catch (e) {
  console.log(`FAILED ${(e as Error).message}`);
}
