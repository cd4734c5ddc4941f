// The decisions page holds the newest decisions only; an older one is found by searching the whole
// log on the server. The history is made by real SIP traffic: one IMDN whose decisions end up
// outside the first page, then enough newer ones to push them out.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { runSipp, SCENARIOS } from '../support/sipp';
import { signedInProduct } from '../support/signed-in-product';
import { registeredClient, shoot } from './helpers/console';

// more than the page's first load (2,000 decisions): each IMDN makes three (DSP, IMDN-RX, IMDN-DLV)
const NEWER_IMDNS = 900;
const product = signedInProduct();

test('RX-3: a decision older than the page’s live window is found by "Search the whole log", merged with the live matches', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const client = await registeredClient(product(), 'alice');
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-history-'));
    const csv = path.join(dir, 'history.csv');
    const lines = ['SEQUENTIAL', 'm-old;delivery-notification;delivered;delivery-notification'];
    for (let i = 0; i < NEWER_IMDNS; i++) lines.push(`bulk-${i};delivery-notification;delivered;delivery-notification`);
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const bob = await runSipp({
      scenario: 'uac-imdn.xml', target: product().sipTarget, localPort: await freePort(), service: 'alice',
      inf: path.relative(SCENARIOS, csv), calls: NEWER_IMDNS + 1, limit: 20, rate: 300, timeoutSec: 60,
    });
    expect(bob.code, bob.stderr).toBe(0);

    await page.goto(`${product().httpUrl}/decisions?messageId=m-old&procedure=IMDN-RX`);
    await expect(page.getByTestId('live-status')).toContainText('live');
    const count = page.getByTestId('decision-count');
    await expect.poll(async () => Number(await count.getAttribute('data-total'))).toBeGreaterThanOrEqual(2000);
    // not among the newest decisions the page holds
    await expect(page.getByTestId('decision-row')).toHaveCount(0);
    await expect(page.getByTestId('log-search')).toContainText('Matches among the newest');

    await page.getByTestId('search-log').click();
    await expect(page.getByTestId('log-search')).toContainText('The whole log holds 1 matching decision');
    const rows = page.getByTestId('decision-row');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-branch', 'IMDN-RX-3');
    await expect(page.getByTestId('decision-count')).toHaveText('1 decision found in the whole log');
    const seq = await rows.first().getAttribute('data-seq');
    await rows.first().click();
    await expect(page.getByTestId('decision-detail')).toContainText('m-old');
    await shoot(page, testInfo, 'decisions-history');

    // a change of filters makes the search stale: the page offers it again
    await page.getByTestId('filter-message-id').fill('bulk-1');
    await expect(page.getByTestId('search-log')).toBeVisible();

    // a bookmarked link to that decision opens it, although the page does not hold it
    await page.goto(`${product().httpUrl}/decisions?seq=${seq}`);
    await expect(page.getByTestId('decision-detail')).toContainText('m-old');
    await expect(page.getByTestId('detail-branch')).toHaveText('IMDN-RX-3');
    const bad = await product().login.fetch('/api/decisions?seq=abc');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('seq must be a whole number');
  } finally {
    await client.stop();
  }
});
