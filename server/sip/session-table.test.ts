// The sessions of a served user, kept as an index beside the sessions by id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CpmSession } from '../engine/model';
import { SessionTable } from './session-table';

const session = (id: string, servedUser: string, n: number) => ({ id, servedUser, n }) as unknown as CpmSession;

test('INVITE-0: property: after any sets and deletes, a user\'s sessions are those the whole table holds for the user, in insertion order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.constantFrom('s1', 's2', 's3', 's4', 's5'), fc.constantFrom('alice', 'bob', 'carol')), { maxLength: 60 }),
      (ops) => {
        const t = new SessionTable();
        const plain = new Map<string, CpmSession>();
        ops.forEach(([del, id, user], n) => {
          if (del) assert.equal(t.delete(id), plain.delete(id));
          else {
            t.set(id, session(id, user, n));
            plain.set(id, session(id, user, n));
          }
        });
        for (const user of ['alice', 'bob', 'carol']) {
          assert.deepEqual(t.ofUser(user), [...plain.values()].filter((s) => s.servedUser === user));
        }
        assert.deepEqual([...t.entries()], [...plain.entries()]);
      },
    ),
  );
});
