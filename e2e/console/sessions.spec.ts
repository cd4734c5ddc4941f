// Sessions: the list with filters, and a session's legs (decoded Reason), participants and a
// ladder that interleaves SIP messages with the engine's decisions, live.
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { signedInProduct } from '../support/signed-in-product';
import { runSipp } from '../support/sipp';
import { CONSOLE_SCENARIOS, registeredClient, shoot } from './helpers/console';
import { seedGroupSession, type SeededSession } from './helpers/seed-session';

const product = signedInProduct({ PF_TEST_HOOKS: '1' });
let seeded: SeededSession;
test.beforeAll(async () => {
  seeded = await seedGroupSession(product().databaseUrl, 'sip:alice@example.com');
});

/** an IMDN for alice on the session's client-leg dialog (its Call-ID) */
async function imdnOnLeg(callId: string, messageId: string) {
  const r = await runSipp({
    scenario: `${CONSOLE_SCENARIOS}/imdn-one.xml`, target: product().sipTarget, localPort: await freePort(), service: 'alice', calls: 1, timeoutSec: 10,
    keys: { message_id: messageId, kind: 'delivery-notification', status: 'delivered' },
    extra: ['-cid_str', callId],
  });
  expect(r.code, r.stderr).toBe(0);
}

async function liveEvent(event: string, payload: unknown) {
  const r = await product().login.fetch(`/api/test/live-event`, { method: 'POST', body: JSON.stringify({ event, payload }) });
  expect(r.status).toBe(200);
}

test('the session list filters by user, type and state', async ({ page }, testInfo) => {
  await page.goto(`${product().httpUrl}/sessions`);
  const row = page.locator(`[data-testid="session-row"][data-id="${seeded.id}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId('session-legs')).toHaveText('2 (1)');
  await page.getByTestId('session-filter-type').selectOption('ONE_TO_ONE');
  await expect(page.getByText('No session matches these filters.')).toBeVisible();
  await page.getByTestId('session-filter-type').selectOption('GROUP');
  await page.getByTestId('session-filter-state').selectOption('LIVE');
  await expect(row).toBeVisible();
  await page.getByTestId('session-filter-user').fill('bob');
  await expect(page.getByText('No session matches these filters.')).toBeVisible();
  await page.getByTestId('session-filter-user').fill('alice');
  await expect(row).toBeVisible();
  await shoot(page, testInfo, 'sessions');
});

test('a session shows its legs with the decoded Reason, participants, and a live ladder of SIP and decisions', async ({ page }, testInfo) => {
  const client = await registeredClient(product(), 'alice');
  try {
    await imdnOnLeg(seeded.clientLeg.callId, 'sess-m1');
    await page.goto(`${product().httpUrl}/sessions/${seeded.id}`);
    await expect(page.getByTestId('leg-row')).toHaveCount(2);
    const cf = page.locator(`[data-testid="leg-row"][data-leg="${seeded.cfLeg.id}"]`);
    await expect(cf).toHaveAttribute('data-state', 'TERMINATED');
    await expect(cf.getByTestId('leg-reason')).toContainText('SIP 480 Temporarily Unavailable');
    await expect(page.getByTestId('participant-row')).toHaveCount(2);
    await expect(page.getByTestId('participants')).toContainText('departed');

    // the decisions the IMDN on the client leg's dialog produced sit on the PF lane
    await expect(page.locator('[data-testid="ladder-decision"][data-branch="IMDN-RX-3"]')).toHaveCount(1);
    await expect(page.getByTestId('ladder-lane')).toHaveCount(3);

    // live, no reload: a new decision on the leg, then SIP messages as the shell reports them
    await imdnOnLeg(seeded.clientLeg.callId, 'sess-m2');
    await expect(page.locator('[data-testid="ladder-decision"][data-branch^="IMDN-RX"]')).toHaveCount(2);
    const at = new Date().toISOString();
    await liveEvent('sip:message', { at, sessionId: seeded.id, legId: seeded.cfLeg.id, callId: seeded.cfLeg.callId, direction: 'in', peer: 'CF', method: 'BYE', firstLine: 'BYE sip:pf@127.0.0.1 SIP/2.0', cseq: '7 BYE', reason: 'SIP;cause=480;text="Temporarily Unavailable"' });
    await liveEvent('sip:message', { at, sessionId: seeded.id, legId: seeded.cfLeg.id, callId: seeded.cfLeg.callId, direction: 'out', peer: 'CF', method: 'BYE', status: 200, firstLine: 'SIP/2.0 200 OK', cseq: '7 BYE' });
    await expect(page.locator('[data-testid="ladder-message"][data-method="BYE"]')).toHaveCount(2);
    await expect(page.locator('[data-testid="ladder-message"][data-status="200"]')).toHaveCount(1);
    await liveEvent('leg:updated', { sessionId: seeded.id, legId: seeded.clientLeg.id });
    await page.locator('[data-testid="ladder-decision"][data-branch="IMDN-RX-3"]').first().click();
    await expect(page.getByTestId('ladder-detail')).toContainText('IMDN-RX-3');
    await shoot(page, testInfo, 'session');
  } finally {
    await client.stop();
  }
});

test('an unknown session is a readable empty state and the API answers 404', async ({ page }) => {
  await page.goto(`${product().httpUrl}/sessions/no-such-session`);
  await expect(page.getByText('No session no-such-session.')).toBeVisible();
  const r = await product().login.fetch(`/api/sessions/no-such-session`);
  expect(r.status).toBe(404);
});
