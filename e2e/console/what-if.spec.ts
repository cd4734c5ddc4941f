// What-if in the console (issue 20): an operator edits carol's rule, sees over the recorded last
// hour that her refused message would have been deferred, applies it, and finds the diff in the
// audit trail; on the Policy page a what-if can be discarded without saving anything.
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { runSipp } from '../support/sipp';
import { signedInProduct } from '../support/signed-in-product';

const product = signedInProduct();

async function messageToCarol(id: string): Promise<string> {
  const run = await runSipp({
    scenario: 'uac-standalone.xml', target: product().sipTarget, localPort: await freePort(), service: 'carol', calls: 1, timeoutSec: 15,
    keys: { from_user: 'bob', message_id: id },
  });
  expect(run.code, run.stderr).toBe(0);
  return /SIP\/2\.0 (\d{3}) /.exec(run.trace.split('message received').slice(-1)[0])?.[1] ?? 'none';
}

test('WHAT-IF 11.1-5: allow-defer for carol, tried over the last hour first: her refused message would be deferred; applied, audited with the diff, then in force', async ({ page }) => {
  expect(await messageToCarol('wi-before')).toBe('480');

  await page.goto(`${product().httpUrl}/users/${encodeURIComponent('sip:carol@example.com')}`);
  await page.getByTestId('rule-id').fill('cpm-what-if');
  await page.getByTestId('rule-allow-defer').selectOption('true');
  await page.getByTestId('what-if-hour').click();

  const row = page.locator('[data-testid="what-if-row"][data-branch="11.1-5"][data-user="sip:carol@example.com"]');
  await expect(row).toBeVisible();
  await expect(row).toContainText('REJECT → DEFER');
  await expect(row).toContainText('DEFER MESSAGE');
  await expect(row).toContainText('SEND_RESP 480');
  await expect(page.getByTestId('what-if-summary')).toContainText('would change');
  // nothing is saved yet
  await expect(page.getByTestId('effective-allowDefer')).toHaveAttribute('data-value', 'false');

  await page.getByTestId('what-if-apply').click();
  await expect(page.getByTestId('what-if-applied')).toBeVisible();
  await expect(page.getByTestId('effective-allowDefer')).toHaveAttribute('data-value', 'true');
  const audited = page.locator('[data-testid="audit-entry"][data-action="what-if.applied"]');
  await expect(audited).toContainText('11.1-5');
  await expect(audited).toContainText('REJECT → DEFER');

  expect(await messageToCarol('wi-after')).toBe('202');
});

test('WHAT-IF: on the Policy page a what-if over the last day shows its progress and result, and Discard saves nothing', async ({ page }) => {
  await page.goto(`${product().httpUrl}/policy`);
  const before = await page.locator('[data-testid="audit-entry"]').count();
  await page.getByTestId('policy-imdnCacheTtlSec').fill('60');
  await page.getByTestId('what-if-day').click();
  await expect(page.getByTestId('what-if-summary')).toContainText('engine calls replayed');
  await page.getByTestId('what-if-discard').click();
  await expect(page.getByTestId('what-if-result')).toHaveAttribute('data-state', 'discarded');
  await page.reload();
  await expect(page.getByTestId('policy-imdnCacheTtlSec')).not.toHaveValue('60');
  await expect(page.locator('[data-testid="audit-entry"]')).toHaveCount(before);
});
