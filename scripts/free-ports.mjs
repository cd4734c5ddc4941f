// Free loopback ports for the tests, the bench and `npm run cluster`, which run servers beside
// each other. Plain JS so that the scripts need no build step.
//
// A port read from a bind to port 0 comes from the kernel's ephemeral range (32768–60999 on
// Linux), which it also hands out for every outgoing connection and every other bind to port 0.
// Between the read and the bind of the SIPp or PF that uses it, any socket of a test running
// beside this one could take it: SIPp then fails with "Unable to bind main socket, errno = 98",
// about once in ten full runs. So ports come from below that range, where the kernel never
// picks, and test processes share them through lock files naming the pid that holds them: a lock
// whose process is gone is taken over.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** where the kernel's ephemeral range starts (Linux; 32768 by default, also where it is not told) */
function ephemeralStart() {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return first > 1024 ? first : 32768;
  } catch {
    return 32768;
  }
}
const HIGH = Math.min(32000, ephemeralStart());
const LOW = Math.max(1025, HIGH - 12000);
const LOCKS = path.join(os.tmpdir(), 'cpm-pf-test-ports');
const held = new Set();
let locksMade = false;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function releaseAll() {
  for (const p of held) {
    try { unlinkSync(path.join(LOCKS, String(p))); } catch { /* already gone */ }
  }
}

/** Takes the lock of `port` for this process; false when a live process holds it. */
function lock(port) {
  if (!locksMade) {
    mkdirSync(LOCKS, { recursive: true });
    process.once('exit', releaseAll);
    locksMade = true;
  }
  const file = path.join(LOCKS, String(port));
  const take = () => {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if (e.code === 'EEXIST') return false;
      throw e;
    }
  };
  if (take()) return true;
  let pid;
  try { pid = Number(readFileSync(file, 'utf8')); } catch { return false; }
  // an empty file is a lock being written: taken
  if (!pid || alive(pid)) return false;
  // a dead holder's lock: moved aside first, so of two processes taking it over only one
  // renames it, and only the exclusive create decides who holds the port
  const aside = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try { renameSync(file, aside); } catch { return false; }
  unlinkSync(aside);
  return take();
}

function tcpFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.unref();
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function udpFree(port) {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.unref();
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports, each free for both UDP and TCP (SIP listens on both)
 * and held by this process until it exits.
 */
export async function freePorts(count) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const first = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
    let ok = true;
    for (let p = first; p < first + count && ok; p++) {
      if (held.has(p) || !lock(p)) { ok = false; break; }
      held.add(p);
      ok = (await tcpFree(p)) && (await udpFree(p));
    }
    // a port some other program has bound stays locked, so nobody here tries it again
    if (ok) return first;
  }
  throw new Error(`no ${count} free consecutive ports between ${LOW} and ${HIGH}`);
}

export function freePort() {
  return freePorts(1);
}
