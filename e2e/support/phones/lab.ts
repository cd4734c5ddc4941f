// A phone test's bench: one temporary folder, the phones started in it, and a stop that kills
// every one of them (by its own pid) whatever happened.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { LinphonePhone, type LinphoneOptions } from './linphone';
import { BaresipPhone, type BaresipOptions } from './baresip';

/** the Debian packages the phone tests need, by the command each provides */
const PACKAGES: Record<string, string> = { linphonec: 'linphone-cli', baresip: 'baresip', tmux: 'tmux' };

/** a sentence naming the packages to install, or undefined when every command is there */
export function missingPhonePackages(commands = Object.keys(PACKAGES)): string | undefined {
  const missing = commands.filter((c) => {
    try {
      execFileSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  return missing.length ? `the phone tests need: apt-get install -y ${missing.map((c) => PACKAGES[c] ?? c).join(' ')}` : undefined;
}

export class PhoneLab {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'cpm-phones-'));
  private phones: Array<LinphonePhone | BaresipPhone> = [];

  // a test process that ends without reaching its finally (an uncaught error, process.exit) still
  // kills its phones: killing is synchronous
  private readonly onExit = () => this.killAll();

  constructor(readonly pfPort: number) {
    process.once('exit', this.onExit);
  }

  private killAll(): void {
    for (const p of this.phones) p.kill();
  }

  async linphone(user: string, opts: Partial<Omit<LinphoneOptions, 'user' | 'pfPort' | 'dir'>> = {}): Promise<LinphonePhone> {
    const p = await LinphonePhone.start({ user, pfPort: this.pfPort, dir: path.join(this.dir, `linphone-${user}`), ...opts });
    this.phones.push(p);
    return p;
  }

  async baresip(user: string, opts: Partial<Omit<BaresipOptions, 'user' | 'pfPort' | 'dir'>> = {}): Promise<BaresipPhone> {
    const p = await BaresipPhone.start({ user, pfPort: this.pfPort, dir: path.join(this.dir, `baresip-${user}`), ...opts });
    this.phones.push(p);
    return p;
  }

  /** kills every phone; keeps the folder when asked (KEEP_PHONE_LOGS=1) to read the logs */
  stop(): void {
    process.off('exit', this.onExit);
    this.killAll();
    if (process.env.KEEP_PHONE_LOGS) process.stderr.write(`phone logs kept in ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
