// The overview counts what real SIP traffic did: registrations and decisions by outcome, with the
// health of the SIP edge and of the database.
import { expect, test } from '@playwright/test';
import { signedInProduct } from '../support/signed-in-product';
import { registeredClient, sendImdn, shoot } from './helpers/console';

const product = signedInProduct();

test('the overview shows registrations, decisions by outcome, SIP edge and database health, live', async ({ page }, testInfo) => {
  await page.goto(product().httpUrl);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('live-status')).toContainText('live');
  await expect(page.getByText(`127.0.0.1:${product().sipPort}`)).toBeVisible();
  await expect(page.getByTestId('registrations')).toHaveText('0');
  await expect(page.getByTestId('db-health')).toContainText('ok');

  const client = await registeredClient(product(), 'carol');
  try {
    for (const messageId of ['o-1', 'o-1', 'o-2']) {
      const r = await sendImdn(product(), 'carol', { messageId, callId: `ov-${messageId}-${Math.random().toString(36).slice(2)}` });
      expect(r.code, r.stderr).toBe(0);
    }
    // no reload: the overview room pushes the PF's state once a second
    await expect(page.getByTestId('registrations')).toHaveText('1');
    // by outcome, the page adds up to what the decision log holds; the duplicate was dropped
    const stored = (await (await product().login.fetch(`/api/decisions?limit=1`)).json()) as { total: number };
    expect(stored.total).toBeGreaterThanOrEqual(3);
    await expect
      .poll(async () => (await page.getByTestId('outcome-total').allTextContents()).reduce((a, t) => a + Number(t), 0))
      .toBe(stored.total);
    await expect(page.locator('[data-testid="outcome-row"][data-outcome="DROP"] [data-testid="outcome-total"]')).toHaveText('1');
    await expect(page.getByTestId('decision-rate')).not.toHaveText('0.0');
    // the edge counted the REGISTER, three MESSAGEs and the forwarded ones
    await expect.poll(async () => Number(await page.getByTestId('edge-received').textContent())).toBeGreaterThanOrEqual(4);
    // the overload control's counts (D-345): every request answered, none waiting, none refused
    await expect(page.getByTestId('edge-appPending')).toHaveText('0');
    await expect(page.getByTestId('edge-appWaiting')).toHaveText('0');
    await expect(page.getByTestId('edge-overloaded')).toHaveText('0');
    await expect(page.getByTestId('active-sessions')).toHaveText('0');
    await expect(page.getByTestId('deferred')).toHaveText('0');
    await shoot(page, testInfo, 'overview');

    // dark theme by toggle (system → light → dark), remembered across a reload
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.getByTestId('registrations')).toHaveText('1');
    await shoot(page, testInfo, 'overview-dark');
  } finally {
    await client.stop();
  }
});
