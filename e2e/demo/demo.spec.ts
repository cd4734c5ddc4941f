// The Demo page runs a flow against the whole product (real SIP over loopback) and shows its
// ladder, the PF's decisions and a passing verdict.
import { expect, test } from '@playwright/test';
import { shoot } from '../console/helpers/console';
import { signedInProduct } from '../support/signed-in-product';

const product = signedInProduct();

test('Demo page: run the duplicate-delivery flow and see it pass', async ({ page }, testInfo) => {
  await page.goto(`${product().httpUrl}/demo`);
  await page.getByLabel('Flow').selectOption('imdn-duplicate-delivery');
  await page.getByRole('button', { name: 'Run flow' }).click();
  await expect(page.getByTestId('demo-verdict')).toHaveText('passed', { timeout: 30_000 });
  await expect(page.getByTestId('demo-ladder')).toContainText('bob-pf → PF');
  await expect(page.getByTestId('demo-ladder')).toContainText('IMDN delivered');
  await expect(page.getByTestId('demo-decisions')).toContainText('IMDN-RX-2a-i');
  await expect(page.getByTestId('demo-expected')).not.toContainText('✗');
  await shoot(page, testInfo, 'demo');
});
