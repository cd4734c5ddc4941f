// The set-up every console spec shares: one running product (PF + console) per spec file, stopped
// after it, and an operator signed in before each test. Returns a getter: the product exists only
// once beforeAll has run.
import { test } from '@playwright/test';
import { startProduct, type Product } from './product';

type Env = Record<string, string>;

export function signedInProduct(env: Env | (() => Promise<Env>) = {}): () => Product {
  let product: Product | undefined;
  test.beforeAll(async () => {
    product = await startProduct(typeof env === 'function' ? await env() : env);
  });
  test.afterAll(async () => {
    await product?.stop();
  });
  test.beforeEach(async ({ context }) => {
    await product!.login.signIn(context);
  });
  return () => {
    if (!product) throw new Error('the product is started in beforeAll');
    return product;
  };
}
