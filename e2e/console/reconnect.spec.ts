// A console whose socket the server drops mid-stream reconnects and resumes from its last event
// id: after the burst, every decision is shown exactly once. The same run shows that thousands of
// rows stay a small DOM (the list is virtualized).
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { signedInProduct } from '../support/signed-in-product';
import { startSipp } from '../support/sipp';
import { CONSOLE_SCENARIOS, registeredClient, shoot } from './helpers/console';

// each IMDN makes several decisions (dispatch, IMDN-RX, IMDN-DLV): thousands of rows
const CALLS = 600;

const product = signedInProduct({ PF_TEST_HOOKS: '1' });

test('after the server drops the socket mid-stream, no decision is missing and none is shown twice', async ({ page }, testInfo) => {
  const client = await registeredClient(product(), 'alice');
  try {
    await page.goto(`${product().httpUrl}/decisions`);
    await expect(page.getByTestId('live-status')).toContainText('live');
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-connects', '1');
    const burst = startSipp({
      scenario: path.join(CONSOLE_SCENARIOS, 'imdn-burst.xml'), target: product().sipTarget, localPort: await freePort(),
      service: 'alice', calls: CALLS, rate: 120, limit: 40, timeoutSec: 60,
    });
    // wait until the stream is flowing, then cut every console socket on the server side
    await expect.poll(async () => Number(await page.getByTestId('decision-count').getAttribute('data-total')), { timeout: 20_000 }).toBeGreaterThan(100);
    const drop = await product().login.fetch(`/api/test/drop-sockets`, { method: 'POST' });
    expect(drop.status).toBe(200);
    // the console noticed and came back: a second connection
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-connects', '2');
    const run = await burst.done;
    expect(run.code, run.stderr).toBe(0);

    const stored = (await (await product().login.fetch(`/api/decisions?limit=1`)).json()) as { total: number; decisions: Array<{ seq: number }> };
    expect(stored.total).toBeGreaterThanOrEqual(CALLS * 3);
    await expect(page.getByTestId('live-status')).toContainText('live');
    // the count is the number of distinct seqs held: a gap makes it smaller, a duplicate larger
    await expect(page.getByTestId('decision-count')).toHaveAttribute('data-total', String(stored.total), { timeout: 10_000 });

    const rows = page.getByTestId('decision-row');
    await expect(rows.first()).toHaveAttribute('data-seq', String(stored.decisions[0].seq));
    expect(await rows.count()).toBeLessThan(100);
    // newest first (event ids are clock ticks, D-230: they increase, not by one)
    await page.getByTestId('decisions').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const seqs = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i - 1]).toBeGreaterThan(seqs[i]);
    await shoot(page, testInfo, 'decisions-after-reconnect');
  } finally {
    await client.stop();
  }
});
