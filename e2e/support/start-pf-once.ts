// Starts a test PF in this process and says how the start went, then returns without exiting:
// the process ends only when the PF left nothing running (e2e/sipp/start-failure.sip.test.ts).
// `node --import tsx e2e/support/start-pf-once.ts <sip port> <edge thread on|off> [NAME=value …]`
// (each NAME=value is one more setting of server/config.ts)
import { startTestPf } from './test-pf';

const [port, thread, ...settings] = process.argv.slice(2);
const more = Object.fromEntries(settings.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
try {
  const pf = await startTestPf({ SIP_PORT: port, PF_EDGE_THREAD: thread, ...more });
  console.log('STARTED');
  await pf.stop();
} catch (e) {
  console.log(`FAILED ${(e as Error).message}`);
}
