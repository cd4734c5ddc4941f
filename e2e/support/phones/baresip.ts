// A stock baresip (Debian's baresip 1.0) driven headless: a config folder of its own (`-f`), one
// account registered through an outbound proxy (the PF), its console (stdio module) in tmux.
// baresip 1.0 messages the "current contact" (`/message <text>`): the phone is given one contact,
// the peer it talks to. It prints received messages as `<from uri>: "<text>"`, and with `-s` every
// SIP message it sends and receives, which is how the final response to its MESSAGE is read.
// baresip answers MESSAGEs that are not text/plain (CPIM, IMDN) with 415 and sends no notifications.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePorts } from '../ports';
import { TmuxConsole } from './tmux-console';
import { PHONE_WAIT_MS, waitFor } from './wait';

export interface BaresipOptions {
  user: string;
  domain?: string;
  pfPort: number;
  dir: string;
  /** the one contact the phone messages, e.g. sip:alice@example.com */
  contact?: string;
}

export class BaresipPhone {
  readonly aor: string;
  private console: TmuxConsole;

  private constructor(readonly opts: BaresipOptions, readonly sipPort: number, rtpPort: number) {
    this.aor = `sip:${opts.user}@${opts.domain ?? 'example.com'}`;
    const conf = path.join(opts.dir, 'baresip');
    mkdirSync(conf, { recursive: true });
    writeFileSync(path.join(conf, 'config'), [
      `sip_listen\t127.0.0.1:${sipPort}`,
      'sip_trans_def\tudp',
      `rtp_ports\t${rtpPort}-${rtpPort + 1}`,
      'audio_player\taufile,/dev/null',
      'audio_source\tausine,440',
      'module_path\t/usr/lib/baresip/modules',
      'module\tstdio.so',
      'module\tg711.so',
      'module\tausine.so',
      'module\taufile.so',
      'module_app\taccount.so',
      'module_app\tcontact.so',
      'module_app\tmenu.so',
      '',
    ].join('\n'));
    writeFileSync(path.join(conf, 'accounts'), `<${this.aor}>;outbound="sip:127.0.0.1:${opts.pfPort}";regint=300\n`);
    writeFileSync(path.join(conf, 'contacts'), opts.contact ? `<${opts.contact}>\n` : '');
    this.console = new TmuxConsole(opts.dir, 'baresip');
    this.console.start(['baresip', '-f', conf, '-s'], { HOME: opts.dir, LANG: 'C.UTF-8' }, opts.dir);
  }

  static async start(opts: BaresipOptions): Promise<BaresipPhone> {
    // baresip also listens on TCP for TLS at the SIP port + 1; RTP takes a pair
    return new BaresipPhone(opts, await freePorts(2), await freePorts(2));
  }

  screen(): string {
    return this.console.output();
  }

  /** asks `/reginfo` until the account shows OK */
  async waitRegistered(timeoutMs = PHONE_WAIT_MS): Promise<void> {
    await waitFor(() => `${this.opts.user}'s baresip to register; its screen ends with:\n${this.screen().slice(-1500)}`, async () => {
      const from = this.screen().length;
      this.console.type('/reginfo');
      await new Promise((r) => setTimeout(r, 300));
      return new RegExp(`${this.aor.replace(/[.]/g, '\\.')}\\s+OK\\b`).test(this.screen().slice(from)) || undefined;
    }, { timeoutMs, intervalMs: 200 });
  }

  /** messages the contact; resolves with the final response code the phone got */
  async send(text: string, timeoutMs = PHONE_WAIT_MS): Promise<number> {
    if (/[\r\n]/.test(text)) throw new Error('one line only');
    const from = this.screen().length;
    this.console.type(`/message ${text}`);
    const pf = `127.0.0.1:${this.opts.pfPort}`;
    const final = new RegExp(`UDP ${pf.replace(/[.]/g, '\\.')} -> [^\\n]*\\nSIP/2\\.0 ([2-6]\\d\\d)[^\\n]*\\n(?:[^\\n]+\\n)*?CSeq: \\d+ MESSAGE`);
    const m = await this.console.waitForOutput(`${this.opts.user}'s baresip to get a final response to its MESSAGE`, final, from, timeoutMs);
    return Number(m[1]);
  }

  /** every message the console announced, as `<from>: "<text>"` */
  received(): Array<{ from: string; text: string }> {
    return [...this.screen().matchAll(/^(sips?:\S+): "(.*)"$/gm)].map((m) => ({ from: m[1], text: m[2] }));
  }

  async waitForMessage(from: string, text: string, timeoutMs = PHONE_WAIT_MS): Promise<void> {
    await waitFor(`${this.opts.user}'s baresip to show "${text}" from ${from}`,
      () => this.received().some((m) => m.from === from && m.text === text), { timeoutMs });
  }

  running(): boolean {
    return this.console.running();
  }

  kill(): void {
    this.console.kill();
  }
}
