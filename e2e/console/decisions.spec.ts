// The console shows IMDN decisions live, as real SIP traffic produces them.
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { runSipp, startSipp } from '../support/sipp';
import { startProduct, type Product } from '../support/product';

let product: Product;
test.beforeAll(async () => {
  product = await startProduct();
});
test.afterAll(async () => {
  await product?.stop();
});

test('RX-3, RX-2a-i-del, RX-2a-iv-a appear live on the decisions page within 2 s, no reload', async ({ page }, testInfo) => {
  await page.goto(`${product.httpUrl}/decisions`);
  await expect(page.getByTestId('live-status')).toContainText('live');
  await expect(page.getByText('No decisions yet')).toBeVisible();

  const clientPort = await freePort();
  const client = startSipp({ scenario: 'uas-message.xml', localPort: clientPort, timeoutSec: 60 });
  try {
    const reg = await runSipp({
      scenario: 'register.xml', target: product.sipTarget, localPort: await freePort(), calls: 1, timeoutSec: 10,
      keys: { user: 'alice', contact_port: String(clientPort), expires: '300', user_agent: 'CPM-client/OMA2.2 sipp' },
    });
    expect(reg.code, reg.stderr).toBe(0);
    const bob = await runSipp({
      scenario: 'uac-imdn.xml', target: product.sipTarget, localPort: await freePort(), service: 'alice',
      inf: 'imdn-rx-three.csv', calls: 3, limit: 1, rate: 10, timeoutSec: 20,
    });
    expect(bob.code, bob.stderr).toBe(0);

    // The acceptance bound of the issue: shown live within 2 s of the traffic, without a reload.
    const rows = page.locator('[data-testid="decision-row"][data-branch^="IMDN-RX"]');
    await expect(rows).toHaveCount(3, { timeout: 2000 });
    // newest first
    await expect(rows.nth(0)).toHaveAttribute('data-branch', 'IMDN-RX-2a-iv');
    await expect(rows.nth(1)).toHaveAttribute('data-branch', 'IMDN-RX-2a-i');
    await expect(rows.nth(1)).toHaveAttribute('data-outcome', 'DROP');
    await expect(rows.nth(2)).toHaveAttribute('data-branch', 'IMDN-RX-3');
    await page.screenshot({ path: testInfo.outputPath('decisions-live.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/decisions.png', fullPage: true });
  } finally {
    await client.stop();
  }
});

test('the overview answers with the PF health', async ({ page }, testInfo) => {
  await page.goto(product.httpUrl);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByText(`127.0.0.1:${product.sipPort}`)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('overview.png'), fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/overview.png', fullPage: true });
});
