// Signing in through the browser: a signed-out visit lands on the login page, a wrong password
// is refused in words, the right one leads back to the page asked for, and the live stream works.
import { expect, test } from '@playwright/test';
import { shoot } from '../console/helpers/console';
import { startProduct, type Product } from '../support/product';

let product: Product;
test.beforeAll(async () => {
  product = await startProduct();
});
test.afterAll(async () => {
  await product?.stop();
});

test('static assets: public/ is served at the root to a signed-out browser, and the pages name the icon', async ({ page }) => {
  const icon = await page.request.get(`${product.httpUrl}/icon.svg`);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image/svg+xml');
  expect(await icon.text()).toContain('<svg');
  const robots = await page.request.get(`${product.httpUrl}/robots.txt`);
  expect(robots.status()).toBe(200);
  expect(await robots.text()).toContain('Disallow: /');
  await page.goto(`${product.httpUrl}/login`);
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', '/icon.svg');
});

test('login: signed out to /login, wrong password refused, right one returns to the page asked for', async ({ page, context }, testInfo) => {
  await page.goto(`${product.httpUrl}/decisions?procedure=IMDN-RX`);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel('Username').fill(product.admin.username);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('wrong username or password');
  await shoot(page, testInfo, 'login');

  await page.getByLabel('Password').fill(product.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(`${product.httpUrl}/decisions?procedure=IMDN-RX`);
  const session = (await context.cookies()).find((c) => c.name === 'pf_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.secure).toBe(true);
  expect(session?.sameSite).toBe('Strict');
  // the page's own script cannot read the session
  expect(await page.evaluate(() => document.cookie)).not.toContain('pf_session');
  await expect(page.getByRole('heading', { name: /decisions/i })).toBeVisible();

  // a signed-in console's own edits pass the CSRF check (same-origin fetch from the page)
  const status = await page.evaluate(async () => (await fetch('/api/provider-policy', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
  expect(status).toBe(200);
});
