// An interactive program (linphonec, baresip) on a terminal of its own: a private tmux server
// (socket in the phone's folder, so nothing is shared with other tests or users), keystrokes
// through `send-keys`, everything the terminal shows appended to a file through `pipe-pane`.
// The program still sees a real terminal, as it would for a user.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PHONE_WAIT_MS, waitFor } from './wait';

export class TmuxConsole {
  readonly socket: string;
  readonly screenLog: string;
  private pid: number | undefined;

  constructor(readonly dir: string, readonly name: string) {
    this.socket = path.join(dir, `${name}.tmux`);
    this.screenLog = path.join(dir, `${name}.screen.log`);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
  }

  /**
   * Starts `argv` with `env` added, in `cwd`; the terminal is wide so lines do not wrap. The
   * program is held at a `read` until the screen log is attached, so none of its output is lost.
   */
  start(argv: string[], env: Record<string, string>, cwd: string): void {
    // tmux starts the command through a shell; quote every word
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const held = ['sh', '-c', 'read _go; exec "$@"', 'sh', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
    const cmd = ['exec', ...held].map(q).join(' ');
    // a tmux server that could not start says "server exited unexpectedly": seen now and then on a
    // busy machine, a second try works
    for (let attempt = 1; ; attempt++) {
      try {
        this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', this.name, '-x', '250', '-y', '50', '-c', cwd, cmd);
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
    this.tmux('pipe-pane', '-t', this.name, '-o', `cat >> ${q(this.screenLog)}`);
    this.pid = Number(this.tmux('display-message', '-p', '-t', this.name, '#{pane_pid}').trim());
    this.tmux('send-keys', '-t', this.name, 'Enter');
  }

  /** types a line and presses Enter (the text is sent literally) */
  type(line: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', line);
    this.tmux('send-keys', '-t', this.name, 'Enter');
  }

  /** everything the terminal showed so far, as text */
  output(): string {
    if (!existsSync(this.screenLog)) return '';
    // without carriage returns and terminal escapes (colours, cursor moves)
    return readFileSync(this.screenLog, 'utf8').replace(/\r/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  }

  /** the first match of `re` in what the terminal showed after character `from` */
  async waitForOutput(what: string, re: RegExp, from = 0, timeoutMs = PHONE_WAIT_MS): Promise<RegExpMatchArray> {
    return waitFor(what, () => this.output().slice(from).match(re) ?? undefined, { timeoutMs });
  }

  running(): boolean {
    if (this.pid === undefined) return false;
    try {
      process.kill(this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** kills the program (SIGKILL, by its own pid) and the private tmux server */
  kill(): void {
    if (this.pid !== undefined) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    this.pid = undefined;
    try {
      this.tmux('kill-server');
    } catch {
      /* no server left */
    }
  }
}
