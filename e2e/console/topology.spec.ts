// Topology: the served domain and the peers, editable with readable validation and an audit trail.
import { expect, test } from '@playwright/test';
import path from 'node:path';
import { freePort } from '../support/ports';
import { signedInProduct } from '../support/signed-in-product';
import { runSipp } from '../support/sipp';
import { startSippWithMsrp } from '../support/sipp-msrp';
import { shoot } from './helpers/console';

const SESSION_SCENARIOS = path.resolve('e2e/sipp/session/scenarios');
const product = signedInProduct({ PF_TRUST: 'peers' });

test('peers are added, validated, edited, deleted and audited', async ({ page }, testInfo) => {
  await page.goto(`${product().httpUrl}/topology`);
  await expect(page.getByTestId('served-domain')).toHaveText('example.com');
  await expect(page.getByText(`127.0.0.1:${product().sipPort}`)).toBeVisible();
  await expect(page.getByText('No peer is configured.')).toBeVisible();

  await page.getByTestId('new-peer-role').selectOption('CF');
  await page.getByTestId('new-peer-name').fill('conference focus');
  await page.getByTestId('new-peer-address').fill('not an address');
  await page.getByTestId('new-peer-save').click();
  await expect(page.getByTestId('new-peer-error')).toContainText('address must be host:port or a sip: URI');

  await page.getByTestId('new-peer-address').fill('127.0.0.1:5099');
  await page.getByTestId('new-peer-address').press('Enter');
  const cf = page.locator('[data-testid="peer-row"][data-name="conference focus"]');
  await expect(cf.getByTestId('peer-address')).toHaveText('127.0.0.1:5099');
  await expect(page.getByTestId('count-CF')).toHaveText('1');

  // the same role and address twice is refused in words
  await page.getByTestId('new-peer-role').selectOption('CF');
  await page.getByTestId('new-peer-name').fill('again');
  await page.getByTestId('new-peer-address').fill('127.0.0.1:5099');
  await page.getByTestId('new-peer-save').click();
  await expect(page.getByTestId('new-peer-error')).toContainText('exists already');

  await page.getByTestId('new-peer-role').selectOption('IWF');
  await page.getByTestId('new-peer-name').fill('sms gateway');
  await page.getByTestId('new-peer-address').fill('sip:iwf.example.net');
  await page.getByTestId('new-peer-save').click();
  await expect(page.getByTestId('count-IWF')).toHaveText('1');

  await page.getByRole('button', { name: 'Edit conference focus' }).click();
  await page.getByTestId('edit-peer-address').fill('127.0.0.1:5098');
  await page.getByTestId('edit-peer-save').click();
  await expect(cf.getByTestId('peer-address')).toHaveText('127.0.0.1:5098');

  await page.getByRole('button', { name: 'Delete sms gateway' }).click();
  await expect(page.getByTestId('count-IWF')).toHaveText('0');
  await expect(page.getByTestId('audit-entry')).toHaveCount(4);
  await expect(page.getByTestId('audit-entry').nth(1)).toContainText('peer.update');
  await expect(page.getByTestId('audit-entry').nth(1)).toContainText('address: 127.0.0.1:5099 → 127.0.0.1:5098');

  const stored = (await (await product().login.fetch(`/api/topology`)).json()) as { peers: Array<{ role: string; name: string; address: string }> };
  expect(stored.peers.map((p) => [p.role, p.name, p.address])).toEqual([['CF', 'conference focus', '127.0.0.1:5098']]);
  await shoot(page, testInfo, 'topology');

  const bad = await product().login.fetch(`/api/peers`, { method: 'POST', body: '{"role":"SBC","name":"x","address":"1.2.3.4:5060"}' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toBe('role must be one of CF, REMOTE_PF, IWF');
});

test('CLS-1, BYE-1: a remote PF added in the browser is admitted over SIP (403 before, its session set up and released after)', async ({ page }) => {
  const bobPfPort = await freePort();
  const devicePort = await freePort();
  const device = await startSippWithMsrp({ scenario: path.join(SESSION_SCENARIOS, 'device.xml'), localPort: devicePort, calls: 1, timeoutSec: 30 });
  const keys = {
    from_user: 'bob', focus: 'bob', contact_params: '', icsi: 'urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.session',
    contribution: `contrib-topology-${Date.now()}`, conversation: 'conv-topology', reason: 'SIP;cause=200;text="Call completed"',
  };
  try {
    const reg = await runSipp({
      scenario: 'register.xml', target: product().sipTarget, localPort: await freePort(), calls: 1, timeoutSec: 10,
      keys: { user: 'alice', contact_port: String(devicePort), expires: '300', user_agent: 'CPM-client/OMA2.2 sipp' },
    });
    expect(reg.code, reg.stderr).toBe(0);
    // PF_TRUST=peers: a stranger's invitation is refused
    const before = await runSipp({ scenario: path.join(SESSION_SCENARIOS, 'network-invite-403.xml'), target: product().sipTarget, localPort: bobPfPort, service: 'alice', calls: 1, timeoutSec: 10, keys });
    expect(before.code, before.stderr).toBe(0);

    await page.goto(`${product().httpUrl}/topology`);
    await page.getByTestId('new-peer-role').selectOption('REMOTE_PF');
    await page.getByTestId('new-peer-name').fill('bob pf');
    await page.getByTestId('new-peer-address').fill(`127.0.0.1:${bobPfPort}`);
    await page.getByTestId('new-peer-save').click();
    await expect(page.locator('[data-testid="peer-row"][data-name="bob pf"]').getByTestId('peer-address')).toHaveText(`127.0.0.1:${bobPfPort}`);

    const after = await runSipp({ scenario: path.join(SESSION_SCENARIOS, 'network-send-bye.xml'), target: product().sipTarget, localPort: bobPfPort, service: 'alice', calls: 1, timeoutSec: 15, keys, extra: ['-d', '500'] });
    expect(after.code, after.stderr).toBe(0);
    const d = await device.done;
    expect(d.code, d.stderr).toBe(0);
    const sessions = (await (await product().login.fetch('/api/sessions?user=alice')).json()) as { sessions: Array<{ mode: string; legs: number }> };
    expect(sessions.sessions.map((x) => [x.mode, x.legs])).toEqual([['RELEASED', 2]]);
  } finally {
    await device.stop();
  }
});
