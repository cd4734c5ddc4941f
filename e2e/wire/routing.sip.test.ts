// D-113: a served user's message to someone this PF does not serve gets a final answer and a
// decision, never silence (issue 13: a stock phone waited 32 s for nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawPeer } from '../support/raw-sip';
import { startTestPf } from '../support/test-pf';

test('CORE-2, CORE-4, CORE-1: an unknown user of the own domain and an unresolvable host get 404 at once; a reachable host gets the message', async () => {
  const pf = await startTestPf();
  const port = pf.sipAddress.port;
  const bob = await rawPeer();
  const far = await rawPeer();
  try {
    assert.equal(await bob.register(port, 'bob'), 200);
    const send = (uri: string) => bob.request(port, { uri, from: 'sip:bob@example.com', headers: ['Content-Type: text/plain'], body: Buffer.from('hello') });
    assert.equal((await send('sip:dave@example.com'))?.startLine, 'SIP/2.0 404 Not Found');
    assert.equal((await send('sip:erin@no-such-host.invalid'))?.startLine, 'SIP/2.0 404 Not Found');
    assert.equal((await send(`sip:frank@127.0.0.1:${far.port}`))?.startLine, 'SIP/2.0 200 OK');
    assert.equal((await far.waitForRequests(1))[0].body.toString(), 'hello');
    await pf.decisions.flush();
    const core = await pf.db.prisma.decision.findMany({ where: { branch: { startsWith: 'CORE-' } }, orderBy: { seq: 'asc' } });
    assert.deepEqual(core.map((d) => [d.branch, d.outcome]), [['CORE-2', 'REJECT'], ['CORE-4', 'REJECT'], ['CORE-1', 'FORWARD']]);
  } finally {
    await bob.close();
    await far.close();
    await pf.stop();
  }
});
