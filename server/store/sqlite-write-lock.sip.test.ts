// Every transaction of the PF's SQLite connection takes the write lock when it begins (D-290):
// the file has a second writer, the decision log's thread (D-250), and a transaction that reads
// before it writes fails at once, without the busy timeout, when that writer committed since the
// read or holds the lock (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY). The store's read-then-write
// transactions run here beside such a writer: storing a message (on the delivery path), setting a
// flag, editing a user's policy rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredObjectSpec } from '../engine/effects';
import { startSecondWriter } from '../../e2e/support/sqlite-writer';
import { conversationFolder, setFlag, storeObject } from './message-store';
import { sqliteFileOf } from './open-client';
import { databaseTargets } from './test-databases';
import { loadUserPrefs, upsertPolicyRule } from './user-prefs';

const msg = (id: string): StoredObjectSpec => ({ kind: 'MESSAGE', imdnMessageId: id, contentType: 'text/plain', headers: { From: '<sip:bob@example.com>' }, body: `hello ${id}` });

test('D-290, 11.6: stored messages, flags and policy edits read then write beside a second writer of the SQLite file, and none of them fails', async () => {
  const target = databaseTargets().find((t) => t.provider === 'sqlite')!;
  const d = await target.fresh();
  const alice = await d.user('sip:alice@example.com');
  const folder = await conversationFolder(d.prisma, alice, 'conv-lock');
  const writer = await startSecondWriter(sqliteFileOf(d.url));
  const failures: string[] = [];
  const ids: string[] = [];
  try {
    for (let i = 0; i < 60; i++) {
      // each awaited alone, as the PF's requests come: the writer commits between them
      await storeObject(d.prisma, { userId: alice, folderId: folder.id, object: msg(`m${i}`) }).then((r) => ids.push(r.id), (e) => failures.push(`store m${i}: ${(e as Error).message.split('\n').at(-1)}`));
      if (ids.length) await setFlag(d.prisma, ids[ids.length - 1], '\\Seen').catch((e) => failures.push(`flag m${i}: ${(e as Error).message.split('\n').at(-1)}`));
      if (i % 3 === 0) {
        await upsertPolicyRule(d.prisma, alice, { ruleId: 'r1', serviceEnablers: ['cpm'], allowDefer: i % 2 === 0 }, 'test').catch((e) => failures.push(`rule ${i}: ${(e as Error).message.split('\n').at(-1)}`));
      }
      // room for the writer between requests (its busy wait backs off while this connection writes)
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    const commits = await writer.stop();
    assert.ok(commits >= 30, `the second writer committed between the store's transactions (${commits} times)`);
  }
  assert.deepEqual(failures, []);
  assert.equal(ids.length, 60);
  assert.equal((await loadUserPrefs(d.prisma, alice)).allowDefer, false, 'the last edit (i = 57) holds');
});
