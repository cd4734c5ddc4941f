// Shared steps of the console's browser tests: a registered client for a served user, IMDNs
// sent by SIPp, screenshots kept with the test and (UPDATE_SCREENSHOTS=1) in docs/screenshots.
import path from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { freePort } from '../../support/ports';
import type { Product } from '../../support/product';
import { runSipp, startSipp, type SippBackground, type SippRun } from '../../support/sipp';

export const CONSOLE_SCENARIOS = path.resolve('e2e/console/scenarios');

/** registers one client of `user` that answers every MESSAGE 200; stop() it at the end */
export async function registeredClient(product: Product, user: string): Promise<SippBackground> {
  const clientPort = await freePort();
  const client = startSipp({ scenario: 'uas-message.xml', localPort: clientPort, timeoutSec: 120 });
  const reg = await runSipp({
    scenario: 'register.xml', target: product.sipTarget, localPort: await freePort(), calls: 1, timeoutSec: 10,
    keys: { user, contact_port: String(clientPort), expires: '300', user_agent: 'CPM-client/OMA2.2 sipp' },
  });
  expect(reg.code, reg.stderr).toBe(0);
  return client;
}

export async function sendImdn(product: Product, user: string, o: { messageId: string; display?: boolean; /** Call-ID prefix */ callId: string }): Promise<SippRun> {
  return runSipp({
    scenario: path.join(CONSOLE_SCENARIOS, 'imdn-one.xml'), target: product.sipTarget, localPort: await freePort(), service: user,
    calls: 1, timeoutSec: 10,
    keys: {
      message_id: o.messageId,
      kind: o.display ? 'display-notification' : 'delivery-notification',
      status: o.display ? 'displayed' : 'delivered',
    },
    // SIPp maps responses to calls by Call-ID: give it the prefix, keep its own unique suffix
    extra: ['-cid_str', `${o.callId}-%u-%p@%s`],
  });
}

export async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}
