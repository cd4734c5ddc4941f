// The Message Store page: the deferred queue filled by real SIP (no client registered, the user
// allows deferral), stored objects with flags and a Group State Object's participant snapshot,
// and the way there from a decision's explanation.
import { expect, test } from '@playwright/test';
import { signedInProduct } from '../support/signed-in-product';
import { sendImdn, shoot } from './helpers/console';
import { seedStore } from './helpers/seed-store';

const product = signedInProduct();

test('a deferred notification, flags and a Group State Object are shown; a decision links to its message', async ({ page }, testInfo) => {
  const carol = 'sip:carol@example.com';
  await page.goto(`${product().httpUrl}/store?user=${encodeURIComponent(carol)}`);
  await expect(page.getByTestId('deferred-empty')).toBeVisible();
  await expect(page.getByTestId('store-empty')).toBeVisible();
  // the stored message and the Group State Object, written as the shell's effects write them
  await seedStore(product().databaseUrl, carol, 'store-m1');

  // carol allows deferral and has no client: the PF defers the IMDN it receives for her
  const rule = await product().login.fetch(`/api/users/${encodeURIComponent(carol)}/rules`, {
    method: 'PUT',
    body: JSON.stringify({ ruleId: 'cpm', serviceEnablers: ['CPM'], allowDefer: true }),
  });
  expect(rule.status).toBe(200);
  const r = await sendImdn(product(), 'carol', { messageId: 'store-m1', display: true, callId: 'store' });
  expect(r.code, r.stderr).toBe(0);

  // no reload: the page polls
  const deferred = page.locator('[data-testid="deferred-row"][data-message-id="store-m1"]');
  await expect(deferred).toContainText('WAITING');
  const message = page.locator('[data-testid="object-row"][data-kind="MESSAGE"]');
  await expect(message.getByTestId('object-flags')).toHaveText('\\Seen');
  await expect(page.locator('[data-testid="folder"][data-kind="SESSION_HISTORY"]')).toBeVisible();
  await expect(page.getByTestId('gso-participants')).toContainText('sip:dave@remote.example.net');
  await expect(page.getByTestId('gso-participants')).toContainText('disconnected');
  await shoot(page, testInfo, 'message-store');

  // from the decision that deferred it to the message in the store
  await page.goto(`${product().httpUrl}/decisions?user=carol&branch=IMDN-RX`);
  await page.getByTestId('decision-row').first().click();
  await page.getByTestId('link-message').click();
  await expect(page).toHaveURL(/\/store\?user=sip%3Acarol%40example.com&messageId=store-m1/);
  await expect(page.locator('[data-testid="object-row"][data-highlight="true"]')).toHaveAttribute('data-message-id', 'store-m1');
});
