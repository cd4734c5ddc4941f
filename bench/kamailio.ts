// A stateful Kamailio relay (tm) in front of a SIPp UAS, as the reference for "what a SIP relay
// does with this traffic on this machine". Debian's kamailio, installed with apt when missing;
// our own minimal configuration; -m 2048 MiB shared memory (the default runs out at 2,000/s).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeScratch, scratchDir } from './scratch-dir';
import { stopChild } from './stop-child';

export function ensureKamailio(): string | undefined {
  if (spawnSync('sh', ['-c', 'command -v kamailio']).status === 0) return undefined;
  if (process.getuid?.() !== 0) return 'kamailio is not installed (apt-get install -y kamailio, as root)';
  process.stderr.write('installing kamailio with apt (once)…\n');
  const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kamailio'], { stdio: 'inherit' });
  return r.status === 0 ? undefined : 'apt-get install kamailio failed';
}

function config(port: number, next: string, children: number): string {
  return `#!KAMAILIO
debug=1
log_stderror=yes
memdbg=5
memlog=5
children=${children}
listen=udp:127.0.0.1:${port}
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  $du = "sip:${next}";
  if (!t_relay()) { sl_reply_error(); }
  exit;
}
`;
}

export interface Kamailio {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export async function startKamailio(port: number, next: string, children = 4): Promise<Kamailio> {
  const dir = scratchDir('bench-kamailio');
  const cfg = path.join(dir, 'kamailio.cfg');
  writeFileSync(cfg, config(port, next, children));
  const check = spawnSync('kamailio', ['-c', '-f', cfg], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`kamailio.cfg does not check:\n${check.stderr}`);
  // -DD: stay in the foreground (children still fork), so the bench owns the process.
  const child = spawn('kamailio', ['-DD', '-E', '-f', cfg, '-m', '2048', '-M', '16', '-P', path.join(dir, 'kamailio.pid'), '-Y', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // ready when the pid file exists and the port is taken
  const deadline = Date.now() + 10_000;
  while (!existsSync(path.join(dir, 'kamailio.pid'))) {
    if (child.exitCode !== null) throw new Error(`kamailio exited at start:\n${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kamailio did not start:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  return {
    pid: child.pid ?? -1,
    port,
    async stop() {
      await stopChild(child, exited, 5000);
      removeScratch(dir);
    },
  };
}
