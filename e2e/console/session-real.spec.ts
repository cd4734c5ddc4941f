// The Sessions pages driven by a real SIP session, no seeded rows: bob's PF (SIPp) invites alice,
// her device (SIPp) answers through the PF; the list shows the session live, its page shows both
// legs and the ladder of real SIP messages; bob's BYE releases it, with the Reason decoded.
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { tsharkSip } from '../support/tshark';
import { runSipp, startSipp, type SippBackground } from '../support/sipp';
import { startSippWithMsrp } from '../support/sipp-msrp';
import { signedInProduct } from '../support/signed-in-product';

const SESSION_SCENARIOS = path.resolve('e2e/sipp/session/scenarios');
let bobPfPort: number;
const product = signedInProduct(async () => {
  bobPfPort = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-topology-'));
  const file = path.join(dir, 'topology.json');
  writeFileSync(file, JSON.stringify({ peers: [{ role: 'REMOTE_PF', name: 'bob-pf', address: `127.0.0.1:${bobPfPort}` }] }));
  return { PF_TOPOLOGY_FILE: file };
});

test('BYE-1, CLS-1, TIME-TRAVEL: a real 1-1 session appears live, shows its legs and SIP ladder, is released with the decoded Reason, and its recorded inputs step from the invitation to the release', async ({ page }, testInfo) => {
  const devicePort = await freePort();
  const device = await startSippWithMsrp({ scenario: path.join(SESSION_SCENARIOS, 'device.xml'), localPort: devicePort, calls: 1, timeoutSec: 30 });
  let bob: SippBackground | undefined;
  try {
    const reg = await runSipp({
      scenario: 'register.xml', target: product().sipTarget, localPort: await freePort(), calls: 1, timeoutSec: 10,
      keys: { user: 'alice', contact_port: String(devicePort), expires: '300', user_agent: 'CPM-client/OMA2.2 sipp' },
    });
    expect(reg.code, reg.stderr).toBe(0);
    await page.goto(`${product().httpUrl}/sessions`);
    // the list is in the sessions room before the session starts, so it cannot miss the ACTIVE phase
    await expect(page.getByTestId('live-status')).toHaveText(/live/);

    // bob's PF holds the session 6 s (-d), then hangs up with a Reason
    bob = startSipp({
      scenario: path.join(SESSION_SCENARIOS, 'network-send-bye.xml'), target: product().sipTarget, localPort: bobPfPort, service: 'alice', calls: 1, timeoutSec: 20,
      keys: {
        from_user: 'bob', focus: 'bob', contact_params: '', icsi: 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session',
        contribution: `contrib-${Date.now()}`, conversation: 'conv-real', reason: 'SIP;cause=200;text="Call completed"',
      },
      extra: ['-d', '6000'],
    });
    const row = page.getByTestId('session-row').first();
    await expect(row).toHaveAttribute('data-mode', 'ACTIVE', { timeout: 10_000 });
    await row.getByRole('link').first().click();

    await expect(page.getByTestId('leg-row')).toHaveCount(2);
    await expect(page.locator('[data-testid="ladder-message"][data-method="INVITE"]').first()).toBeVisible();
    await shootTo(page, testInfo, 'session-real');

    // issue 19: "Download pcap" saves the ladder's SIP as a file tshark reads as SIP: the INVITE
    // on each leg's Call-ID, and the answers
    const legCallIds = await page.getByTestId('leg-call-id').allTextContents();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-pcap').click()]);
    expect(download.suggestedFilename()).toMatch(/^session-.+\.pcap$/);
    const file = testInfo.outputPath('session.pcap');
    await download.saveAs(file);
    const sip = tsharkSip(file);
    for (const callId of legCallIds) {
      expect(sip.filter((r) => r.callId === callId).map((r) => r.method), `leg ${callId}`).toEqual(expect.arrayContaining(['INVITE', 'ACK']));
      expect(sip.some((r) => r.callId === callId && r.status === '200'), `a 200 on ${callId}`).toBe(true);
    }

    // the BYE arrives while the page is open: legs released live, Reason decoded, BYE arrows drawn
    await expect(page.locator('[data-testid="leg-row"][data-state="TERMINATED"]')).toHaveCount(2, { timeout: 15_000 });
    await expect(page.getByTestId('leg-reason').first()).toContainText('SIP 200');
    await expect(page.locator('[data-testid="ladder-message"][data-method="BYE"]').first()).toBeVisible();
    const done = await bob.done;
    expect(done.code, done.stderr).toBe(0);

    // time travel (issue 20): the session's recorded engine inputs, from its invitation (the INVITE
    // from bob's PF, the device's answer) stepped through to the release
    await page.getByTestId('time-travel-load').click();
    const step = page.getByTestId('time-travel-step');
    await expect(step).toHaveAttribute('data-procedure', 'handleInvite');
    await expect(step).toContainText('INVITE from peer');
    const total = Number(/of (\d+)/.exec((await page.getByTestId('time-travel-position').textContent()) ?? '')?.[1]);
    const seen: Array<[string, string]> = [];
    for (let k = 0; k < total; k++) {
      if (k > 0) await page.getByTestId('time-travel-next').click();
      await expect(step).toHaveAttribute('data-index', String(k));
      seen.push([(await step.getAttribute('data-procedure')) ?? '', (await step.textContent()) ?? '']);
    }
    const procedures = seen.map(([p]) => p);
    expect(procedures.indexOf('forkAnswered'), procedures.join(', ')).toBeGreaterThan(0);
    const bye = seen.findIndex(([p, text]) => p === 'handleBye' && text.includes('BYE_RECEIVED'));
    expect(bye, procedures.join(', ')).toBeGreaterThan(procedures.indexOf('forkAnswered'));
    await expect(step).toHaveAttribute('data-mode', 'RELEASED');
    await expect(page.locator('[data-testid="time-travel-legs"] tr[data-state="TERMINATED"]')).toHaveCount(2);
  } finally {
    await bob?.stop();
    await device.stop();
  }
});

async function shootTo(page: import('@playwright/test').Page, testInfo: import('@playwright/test').TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}
