// Users and policies: the list reflects real registrations; a policy edit in the browser is
// validated, stored, audited and reported in force; the provider policy likewise.
import { expect, test } from '@playwright/test';
import { udpUac } from '../faults/udp-uac';
import { signedInProduct } from '../support/signed-in-product';
import { registeredClient, shoot } from './helpers/console';

const product = signedInProduct();

test('the user list shows registered clients and searches', async ({ page }, testInfo) => {
  const client = await registeredClient(product(), 'alice');
  try {
    await page.goto(`${product().httpUrl}/users`);
    const alice = page.locator('[data-testid="user-row"][data-aor="sip:alice@example.com"]');
    await expect(alice.getByTestId('user-contacts')).toHaveText('1');
    await expect(page.locator('[data-testid="user-row"][data-aor="sip:bob@example.com"] [data-testid="user-contacts"]')).toHaveText('0');
    await shoot(page, testInfo, 'users');
    await page.getByTestId('user-search').fill('bob');
    await expect(page.getByTestId('user-row')).toHaveCount(1);
    await page.getByTestId('user-search').fill('nobody-here');
    await expect(page.getByText('No served user matches')).toBeVisible();

    await page.getByTestId('user-search').fill('alice');
    await page.getByRole('link', { name: 'sip:alice@example.com' }).click();
    await expect(page.getByTestId('contact-row')).toHaveCount(1);
    await expect(page.getByTestId('contact-row')).toContainText('CPM-client/OMA2.2 sipp');
  } finally {
    await client.stop();
  }
});

test('a policy edit in the browser is validated, stored and audited', async ({ page }, testInfo) => {
  const aor = 'sip:carol@example.com';
  await page.goto(`${product().httpUrl}/users/${encodeURIComponent(aor)}`);
  await expect(page.getByText('No preference rule.')).toBeVisible();
  await expect(page.getByTestId('effective-allowStore')).toHaveAttribute('data-value', 'false');

  // a bad rule id is refused with a sentence, nothing stored
  await page.getByTestId('rule-id').fill('bad id');
  await page.getByTestId('rule-allow-store').selectOption('true');
  await page.getByTestId('rule-save').click();
  await expect(page.getByTestId('rule-error')).toContainText('ruleId may hold letters, digits');
  await expect(page.getByTestId('rule-row')).toHaveCount(0);

  // keyboard only: fix the id, set the actions, submit with Enter
  await page.getByTestId('rule-id').fill('cpm');
  await page.getByTestId('rule-allow-defer').selectOption('false');
  await page.getByTestId('rule-allow-offline-storage').selectOption('true');
  await page.getByTestId('rule-id').press('Enter');
  await expect(page.getByTestId('rule-saved')).toBeVisible();
  const row = page.locator('[data-testid="rule-row"][data-rule="cpm"]');
  await expect(row.getByTestId('rule-store')).toHaveText('allow');
  await expect(row.getByTestId('rule-defer')).toHaveText('deny');
  await expect(page.getByTestId('effective-allowStore')).toHaveAttribute('data-value', 'true');
  await expect(page.getByTestId('effective-allowDefer')).toHaveAttribute('data-value', 'false');
  const entry = page.getByTestId('audit-entry').first();
  await expect(entry).toContainText('policy.rule');
  await expect(entry).toContainText('allow store: not set → true');

  // stored: the API reads the database
  const stored = (await (await product().login.fetch(`/api/users/${encodeURIComponent(aor)}`)).json()) as {
    rules: Array<{ ruleId: string; serviceEnablers: string[]; allowStore: boolean | null; allowDefer: boolean | null; allowOfflineStorage: boolean | null }>;
    audit: Array<{ action: string }>;
  };
  expect(stored.rules).toEqual([expect.objectContaining({ ruleId: 'cpm', serviceEnablers: ['CPM'], allowStore: true, allowDefer: false, allowOfflineStorage: true })]);
  expect(stored.audit.length).toBe(1);
  await shoot(page, testInfo, 'user-policy');

  // a bad body straight at the API is a 400 with a sentence, not a crash
  const bad = await product().login.fetch(`/api/users/${encodeURIComponent(aor)}/rules`, { method: 'PUT', body: '{"ruleId":"x","serviceEnablers":[],"allowStore":"yes"}' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toMatch(/serviceEnablers must name at least one/);
});

test('the provider policy editor validates per field, stores and audits', async ({ page }, testInfo) => {
  await page.goto(`${product().httpUrl}/policy`);
  await page.getByTestId('policy-byeRelayTimeoutMs').fill('5');
  await page.getByTestId('policy-save').click();
  await expect(page.getByTestId('error-byeRelayTimeoutMs')).toContainText('between 100 and 31000');
  await expect(page.getByTestId('policy-message')).toBeVisible();

  await page.getByTestId('policy-byeRelayTimeoutMs').fill('4000');
  await page.getByTestId('policy-imdnCacheTtlSec').fill('60');
  await page.getByTestId('policy-homeDomains').fill('example.com\nims.example.com');
  await page.getByTestId('policy-save').click();
  await expect(page.getByTestId('policy-message')).toContainText('Saved and audited');
  await expect(page.getByTestId('audit-entry').first()).toContainText('provider-policy.update');
  await expect(page.getByTestId('audit-entry').first()).toContainText('imdn cache ttl sec: not set → 60');

  const stored = (await (await product().login.fetch(`/api/provider-policy`)).json()) as { overrides: Record<string, unknown> };
  expect(stored.overrides).toEqual({ byeRelayTimeoutMs: 4000, imdnCacheTtlSec: 60, homeDomains: ['example.com', 'ims.example.com'] });
  await shoot(page, testInfo, 'provider-policy');
});

test('DSP-8: the provider policy set in the browser is what the PF answers over SIP (unmatched request: 403, then the status saved)', async ({ page }) => {
  const uac = await udpUac();
  try {
    const unmatched = () => uac.message({ to: product().sipPort, user: 'carol', text: 'no CPM feature tag', cpmTag: false, deadlineMs: 10_000 });
    expect((await unmatched()).status).toBe(403);

    await page.goto(`${product().httpUrl}/policy`);
    await page.getByTestId('policy-unmatchedRequestResponse').fill('404');
    await page.getByTestId('policy-save').click();
    await expect(page.getByTestId('policy-message')).toContainText('Saved and audited');
    await expect(page.getByTestId('audit-entry').first()).toContainText('unmatched request response');

    expect((await unmatched()).status).toBe(404);
    const decisions = (await (await product().login.fetch('/api/decisions?branch=DSP-8&limit=5')).json()) as { decisions: Array<{ outcome: string; inputs: Record<string, unknown> }> };
    expect(decisions.decisions[0].outcome).toBe('REJECT');
    expect(decisions.decisions[0].inputs.unmatchedRequestResponse).toBe(404);
  } finally {
    await uac.close();
  }
});
