#!/usr/bin/env node
// `npm run cluster`: the scale-out topology of issue 19 on one machine, on loopback: Kamailio's
// dispatcher in front of N PF instances (each the whole product: embedded SIP edge, console,
// socket.io), one throwaway PostgreSQL, one throwaway Redis. DECISIONS D-231, D-232.
//
// As a CLI:    node scripts/cluster.mjs [--instances N]   runs until Ctrl-C, prints where things are
// As a module: const c = await startCluster({ instances: 2 }); ... c.pfs[1].kill(); ... c.stop()
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startDaemon, startRedis } from './daemon.mjs';
import { startThrowawayPostgres } from './pg-throwaway.mjs';
import { pfEnv, pfNodeArgs } from './pf-node-args.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KAMAILIO = process.env.KAMAILIO_BIN || '/usr/sbin/kamailio';
const DOMAIN = 'example.com';

/** Fixed ports for the CLI (the test asks for free ones). */
export const CLI_PORTS = { kamailio: 5060, sip: [5071, 5072, 5073, 5074], http: [3001, 3002, 3003, 3004] };

function ensureConsoleBuilt() {
  const r = spawnSync(process.execPath, ['scripts/start.mjs', '--build-only'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the console build failed');
}

async function waitHealthy(url, daemon, ms = 90_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (!daemon.alive()) throw new Error(`${daemon.name} exited at start:\n${daemon.output()}`);
    if (Date.now() > end) throw new Error(`${daemon.name} did not answer on ${url} within ${ms / 1000} s:\n${daemon.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sends OPTIONS to host:port until a 200 comes back. */
async function optionsOk(port, ms = 20_000) {
  const sock = dgram.createSocket('udp4');
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  const local = sock.address().port;
  try {
    const answered = new Promise((resolve) => sock.on('message', (b) => /^SIP\/2\.0 200/.test(b.toString()) && resolve(true)));
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
      const msg = [`OPTIONS sip:${DOMAIN} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`, `From: <sip:cluster@${DOMAIN}>;tag=${branch.slice(7)}`,
        `To: <sip:${DOMAIN}>`, `Call-ID: ${branch}@cluster`, 'CSeq: 1 OPTIONS', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n');
      sock.send(msg, port, '127.0.0.1');
      if (await Promise.race([answered, new Promise((r) => setTimeout(() => r(false), 300))])) return;
    }
    throw new Error(`no 200 to OPTIONS on 127.0.0.1:${port}`);
  } finally {
    sock.close();
  }
}

/**
 * @param {{ instances?: number, ports?: { kamailio: number, sip: number[], http: number[] }, users?: string[],
 *           pfEnv?: Record<string,string>, log?: (line: string) => void, pingSec?: number }} [o]
 */
export async function startCluster(o = {}) {
  const n = o.instances ?? 2;
  const log = o.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpm-pf-cluster-'));
  const started = [];
  const stop = async () => {
    for (const d of started.reverse()) await d.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    ensureConsoleBuilt();
    const pg = await startThrowawayPostgres({ database: 'cpmpf' });
    started.push(pg);
    log(`postgresql ${pg.url}`);
    const redis = await startRedis();
    started.push(redis);
    log(`redis ${redis.url}`);

    const admin = { username: 'admin', password: randomBytes(12).toString('base64url') };
    const pfs = [];
    for (let i = 0; i < n; i++) pfs.push(await startPf(i));
    // A free port may be taken by another process before the PF binds it (a busy machine): on
    // EADDRINUSE, start again on other free ports; fixed ports (the CLI) get one try.
    async function startPf(i) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await startPfOnce(i);
        } catch (e) {
          if (o.ports || attempt >= 4 || !/EADDRINUSE/.test(String(e.message))) throw e;
          log(`pf-${String.fromCharCode(97 + i)}: a port was taken meanwhile; trying other ports`);
        }
      }
    }
    async function startPfOnce(i) {
      const name = `pf-${String.fromCharCode(97 + i)}`;
      const sipPort = o.ports?.sip[i] ?? (await freePort());
      const httpPort = o.ports?.http[i] ?? (await freePort());
      const env = {
        NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1',
        DATABASE_URL: pg.url, REDIS_URL: redis.url, PF_INSTANCE: name, PF_DOMAIN: DOMAIN,
        SIP_HOST: '127.0.0.1', SIP_PORT: String(sipPort), HTTP_PORT: String(httpPort),
        PF_ADMIN_USER: admin.username, PF_ADMIN_PASSWORD: admin.password,
        // every request reaches the PFs from one source, Kamailio: a per-source rate would cap the
        // whole cluster at one client's share (D-152); overload control still protects each PF
        PF_SIP_RATE: '0',
        // Kamailio is no topology role (CF, remote PF, IWF): behind it, sources are not checked (D-232)
        PF_TRUST: 'open',
        ...(o.users ? { SEED_USERS: o.users.join(',') } : {}),
        ...o.pfEnv,
      };
      const daemon = await startDaemon({
        name, cmd: process.execPath, args: [...pfNodeArgs({ ...process.env, ...env }), '--import', 'tsx', 'server/index.ts'], env: { ...pfEnv({ ...process.env, ...env }), ...env }, cwd: ROOT,
        // the HTTP health check below decides; this only waits for the process to say anything
        ready: /./, timeoutMs: 90_000,
      });
      const httpUrl = `http://127.0.0.1:${httpPort}`;
      try {
        // one after the other: the first one migrates and seeds, the next finds it done
        await waitHealthy(httpUrl, daemon);
        await optionsOk(sipPort);
      } catch (e) {
        await daemon.stop('SIGKILL');
        throw e;
      }
      started.push(daemon);
      log(`${name}: SIP udp/tcp 127.0.0.1:${sipPort}, console ${httpUrl}`);
      return { name, sipPort, httpUrl, daemon, kill: (signal = 'SIGKILL') => daemon.stop(signal) };
    }

    const list = path.join(dir, 'dispatcher.list');
    fs.writeFileSync(list, pfs.map((p) => `1 sip:127.0.0.1:${p.sipPort} 0 0 instance=${p.name}\n`).join(''));
    const cfg = path.join(dir, 'kamailio.cfg');
    let kamailio;
    let kamailioPort;
    for (let attempt = 1; !kamailio; attempt++) {
      kamailioPort = o.ports?.kamailio ?? (await freePort());
      const values = { DEBUG: process.env.KAMAILIO_DEBUG ?? '1', SIP_PORT: kamailioPort, DOMAIN, PROBE_TIMEOUT_MS: 4000, RELAY_TIMEOUT_MS: 25_000, PING_SEC: o.pingSec ?? 1, DISPATCHER_LIST: list };
      fs.writeFileSync(cfg, fs.readFileSync(path.join(ROOT, 'scripts/cluster/kamailio.cfg'), 'utf8').replace(/@([A-Z_]+)@/g, (_, k) => String(values[k])));
      // 1 GiB of shared memory holds the bench's rates (the default runs out at about 2,000/s)
      const d = await startDaemon({
        name: 'kamailio', cmd: KAMAILIO, args: ['-DD', '-E', '-m', '1024', '-M', '16', '-f', cfg, '-P', path.join(dir, 'kamailio.pid')],
        ready: /Listening on/, timeoutMs: 20_000,
      });
      try {
        // it has read its configuration; it serves once it answers (a port taken meanwhile: it exits)
        await optionsOk(kamailioPort);
        kamailio = d;
      } catch (e) {
        await d.stop('SIGKILL');
        if (o.ports || attempt >= 4) throw new Error(`${e.message}:\n${d.output()}`);
      }
    }
    started.push(kamailio);
    log(`kamailio: SIP udp 127.0.0.1:${kamailioPort}, dispatcher over ${pfs.map((p) => p.name).join(', ')}`);
    return { dir, domain: DOMAIN, kamailio: { port: kamailioPort, daemon: kamailio }, pfs, databaseUrl: pg.url, redisUrl: redis.url, admin, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf('--instances');
  const instances = i > 0 ? Number(process.argv[i + 1]) : 2;
  if (!Number.isInteger(instances) || instances < 1 || instances > CLI_PORTS.sip.length) {
    console.error(`--instances must be 1 to ${CLI_PORTS.sip.length}`);
    process.exit(2);
  }
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  process.env.CHECKPOINT_DISABLE = '1';
  const c = await startCluster({ instances, ports: CLI_PORTS, log: (l) => console.log(l) });
  console.log(`\nSend SIP to 127.0.0.1:${c.kamailio.port}. Console: any of ${c.pfs.map((p) => p.httpUrl).join(', ')}`);
  console.log(`Sign in as ${c.admin.username} / ${c.admin.password}. Ctrl-C stops everything.`);
  let stopping = false;
  const end = () => {
    if (stopping) return;
    stopping = true;
    void c.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
}
