// A policy edit in the browser takes effect in the engine at once, proven over SIP: carol is
// offline; without a rule her messages are refused (480), after an operator allows deferral in
// the console the next one is accepted (202) and waits in her deferred queue.
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

test('11.1-5: allow-defer set in the browser makes the next message to an offline user deferred (480 before, 202 after)', async ({ page }) => {
  expect(await messageToCarol('before-edit')).toBe('480');

  await page.goto(`${product().httpUrl}/users/${encodeURIComponent('sip:carol@example.com')}`);
  await page.getByTestId('rule-id').fill('cpm-defer');
  await page.getByTestId('rule-allow-defer').selectOption('true');
  await page.getByTestId('rule-save').click();
  await expect(page.getByTestId('rule-saved')).toBeVisible();
  await expect(page.getByTestId('effective-allowDefer')).toHaveAttribute('data-value', 'true');

  expect(await messageToCarol('after-edit')).toBe('202');
  // The decision log is written in batches: poll until both decisions are there.
  await expect
    .poll(async () => {
      const r = (await (await product().login.fetch('/api/decisions?branch=11.1-5')).json()) as { decisions: Array<{ outcome: string; messageId: string | null }> };
      return Object.fromEntries(r.decisions.map((d) => [d.messageId, d.outcome]));
    })
    .toMatchObject({ 'before-edit': 'REJECT', 'after-edit': 'DEFER' });
});
