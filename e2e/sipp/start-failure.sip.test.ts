// A PF that cannot bind its SIP port fails its start with the bind's error and leaves nothing
// running: the process it was started in ends on its own (D-299). A start that failed there used
// to leave the decision log's writer thread and the lag meter alive, and a test file that met a
// taken port hung until its timeout.
import assert from 'node:assert/strict';
import { runToExit } from '../support/run-to-exit';
import dgram from 'node:dgram';
import net from 'node:net';
import test from 'node:test';
import { freePort } from '../support/ports';
import { databaseTargets, holdEveryDecisionSlot } from '../../server/store/test-databases';

for (const thread of ['on', 'off'] as const) {
  test(`D-299: edge thread ${thread}: a taken SIP port fails the start with EADDRINUSE, and the process ends on its own`, async () => {
    const port = await freePort();
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(port, '127.0.0.1', () => r()));
    const tcp = net.createServer();
    await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', () => r()));
    try {
      const { code, out } = await runToExit(['--import', 'tsx', 'e2e/support/start-pf-once.ts', String(port), thread], { hangMs: 20_000 });
      assert.match(out, /FAILED .*EADDRINUSE/, out);
      assert.notEqual(code, 'hung', `the process was still running 20 s after the failed start:\n${out}`);
    } finally {
      udp.close();
      tcp.close();
    }
  });
}

// The MSRP listener starts after the edge and srf: a start that failed there left them, the
// writer thread and the lag meter running.
test('D-299: a taken MSRP port fails the start with EADDRINUSE, and the process ends on its own', async () => {
  const msrpPort = await freePort();
  const tcp = net.createServer();
  await new Promise<void>((r) => tcp.listen(msrpPort, '127.0.0.1', () => r()));
  try {
    const { code, out } = await runToExit(['--import', 'tsx', 'e2e/support/start-pf-once.ts', String(await freePort()), 'on', `PF_MSRP_PORT=${msrpPort}`], { hangMs: 20_000 });
    assert.match(out, /FAILED .*EADDRINUSE/, out);
    assert.notEqual(code, 'hung', `the process was still running 20 s after the failed start:\n${out}`);
  } finally {
    tcp.close();
  }
});

// A start can fail before the edge exists, with only the database and its writer thread open: here
// every decision-id slot is held by an instance seen a moment ago, so the decision log refuses to
// number anything. The writer thread kept the process alive (D-329).
test('D-329: a start refused before the edge starts (every decision-id slot held) ends on its own', async () => {
  const sqlite = databaseTargets().find((t) => t.provider === 'sqlite')!;
  const db = await sqlite.fresh();
  await holdEveryDecisionSlot(db.store, new Date());
  await db.close();
  const { code, out } = await runToExit(['--import', 'tsx', 'e2e/support/start-pf-once.ts', String(await freePort()), 'on', `DATABASE_URL=${db.url}`], { hangMs: 20_000 });
  assert.match(out, /FAILED .*instance slots are held/, out);
  assert.notEqual(code, 'hung', `the process was still running 20 s after the failed start:\n${out}`);
});
