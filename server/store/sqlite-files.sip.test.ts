// SQLite files the PF cannot write (issue 18): an immutable "-shm" (or "-wal", or database file)
// is found before SQLite maps it, and the start fails with a sentence naming the file, instead of
// SIGBUS or a driver error deep in a query. Needs chattr (root, a filesystem with attributes);
// skipped where it cannot set the immutable flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from './database';
import { startPfProcess } from '../../e2e/support/pf-process';

function immutable(file: string, on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

for (const suffix of ['-shm', '-wal']) {
  test(`sqlite: an immutable ${suffix} file stops the start with a sentence naming it`, async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-shm-'));
    const file = path.join(dir, 'pf.db');
    const side = `${file}${suffix}`;
    try {
      await (await openDatabase(`file:${file}`)).close();
      writeFileSync(side, Buffer.alloc(suffix === '-shm' ? 32768 : 0));
      if (!immutable(side, true)) {
        t.skip('chattr +i is not available here');
        return;
      }
      await assert.rejects(openDatabase(`file:${file}`), (e: Error) => e.message.includes(side) && /cannot be written/.test(e.message), 'openDatabase');
      // the whole PF: exits at start, the sentence in its output, no crash by signal
      await assert.rejects(startPfProcess({ DATABASE_URL: `file:${file}`, SIP_PORT: '0', SIP_TRANSPORTS: 'udp', HTTP_PORT: '0' }), (e: Error) => {
        assert.match(e.message, /PF exited \(1\)/);
        assert.ok(e.message.includes(`${side} cannot be written`), e.message.slice(-2000));
        return true;
      });
    } finally {
      immutable(side, false);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
