// The API shell: path parameters, readable 400s for bad bodies, 404/405, and no crash on a
// handler's unexpected error.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { apiHandler, apiNotFound } from './api';
import { badRequest } from './http-error';

let server: Server;
let base = '';

before(async () => {
  const handle = apiHandler({
    'GET /api/users/:aor': async ({ params }) => ({ aor: params.aor }),
    'PUT /api/users/:aor/rules': async ({ body }) => {
      const b = (await body()) as { ruleId?: unknown };
      if (typeof b.ruleId !== 'string') throw badRequest('ruleId is required', [{ field: 'ruleId', message: 'ruleId is required' }]);
      return { ok: true };
    },
    'GET /api/boom': async () => {
      throw new Error('database is locked');
    },
  });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    void handle(req, res, url).then((done) => {
      if (!done && !apiNotFound(res, url)) res.writeHead(299).end('page');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

test('path parameters arrive URI-decoded', async () => {
  const r = await fetch(`${base}/api/users/${encodeURIComponent('sip:alice@example.com')}`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { aor: 'sip:alice@example.com' });
});

test('a body that is not JSON, or missing, is a 400 with a sentence', async () => {
  const notJson = await fetch(`${base}/api/users/a/rules`, { method: 'PUT', body: '{nope' });
  assert.equal(notJson.status, 400);
  assert.deepEqual(await notJson.json(), { error: 'the request body is not valid JSON' });
  const empty = await fetch(`${base}/api/users/a/rules`, { method: 'PUT' });
  assert.equal(empty.status, 400);
  const invalid = await fetch(`${base}/api/users/a/rules`, { method: 'PUT', body: '{}' });
  assert.deepEqual(await invalid.json(), { error: 'ruleId is required', fields: [{ field: 'ruleId', message: 'ruleId is required' }] });
});

test('unknown API paths fall through to a JSON 404, wrong methods are 405, bad percent-encoding 400; pages fall through', async () => {
  assert.equal((await fetch(`${base}/api/nothing`)).status, 404);
  assert.equal((await fetch(`${base}/api/users/a`, { method: 'DELETE' })).status, 405);
  assert.equal((await fetch(`${base}/api/users/%E0%A4%A`)).status, 400);
  assert.equal((await fetch(`${base}/decisions`)).status, 299);
});

test('an unexpected handler error is a 500 that names it, and the server keeps serving', async () => {
  const r = await fetch(`${base}/api/boom`);
  assert.equal(r.status, 500);
  assert.match(((await r.json()) as { error: string }).error, /database is locked/);
  assert.equal((await fetch(`${base}/api/users/x`)).status, 200);
});
