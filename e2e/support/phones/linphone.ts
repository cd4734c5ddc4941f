// A stock linphone (Debian's linphone-cli, linphonec 5.1) driven headless, as a user would run it:
// a linphonerc of its own (own SIP and RTP ports, message database, home folder), registered to
// the PF through an outbound route, commands typed on its console (tmux-console.ts).
//
// What is read back, and from where:
// - registered: the answer to `status register` ("registered, identity=…")
// - a message received: the console line `Message received from <uri>: <text>`
// - the state the phone shows for a message it sent (delivered, displayed …): the phone's own
//   message database (linphonec prints no state; the GUIs show the same column)
// - SIP traffic: linphone's log file (`-l`), for diagnostics and counting
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../ports';
import { TmuxConsole } from './tmux-console';
import { PHONE_WAIT_MS, sleep, waitFor } from './wait';

/** CPM's chat ICSI as a Contact parameter, in linphone's own escaping */
export const CPM_MSG_TAG = '+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"';

/** liblinphone's LinphoneChatMessageState, by its number in the message database */
export const MESSAGE_STATES = [
  'Idle', 'InProgress', 'Delivered', 'NotDelivered', 'FileTransferError', 'FileTransferDone',
  'DeliveredToUser', 'Displayed', 'FileTransferInProgress', 'PendingDelivery', 'FileTransferCancelling',
] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export interface LinphoneOptions {
  /** user part of the identity, e.g. alice (sip:alice@example.com) */
  user: string;
  domain?: string;
  /** the PF's SIP port on 127.0.0.1 */
  pfPort: number;
  /** this phone's own folder (config, database, logs) */
  dir: string;
  /** send messages in CPIM with imdn headers (default true: needed for delivery notifications to name the sender's message) */
  cpim?: boolean;
  /** add the CPM feature tag to the Contact (default false: stock) */
  cpmTag?: boolean;
  /** im_notif_policy (default all: delivery and display notifications sent and asked for) */
  imNotifPolicy?: 'all' | 'none';
}

export interface ReceivedMessage {
  from: string;
  text: string;
}

export class LinphonePhone {
  readonly aor: string;
  readonly sipPort: number;
  readonly config: string;
  readonly database: string;
  readonly sipLogPath: string;
  private console: TmuxConsole;
  private started = 0;

  private constructor(readonly opts: LinphoneOptions, ports: { sip: number; audio: number; video: number; text: number }) {
    this.aor = `sip:${opts.user}@${opts.domain ?? 'example.com'}`;
    this.sipPort = ports.sip;
    this.config = path.join(opts.dir, 'linphonerc');
    this.database = path.join(opts.dir, 'linphone.db');
    this.sipLogPath = path.join(opts.dir, 'linphone.log');
    this.console = new TmuxConsole(opts.dir, 'linphonec');
    mkdirSync(opts.dir, { recursive: true });
    writeFileSync(this.config, linphonerc(this.aor, opts, ports, this.database));
  }

  /** writes the config and starts linphonec; does not wait for the registration */
  static async start(opts: LinphoneOptions): Promise<LinphonePhone> {
    const phone = new LinphonePhone(opts, { sip: await freePort(), audio: await freePort(), video: await freePort(), text: await freePort() });
    phone.launch();
    return phone;
  }

  private launch(): void {
    this.started++;
    this.console.start(
      ['linphonec', '-c', this.config, '-d', '4', '-l', this.sipLogPath],
      { HOME: this.opts.dir, LANG: 'C.UTF-8' },
      this.opts.dir,
    );
  }

  /** what the console showed, all runs of this phone */
  screen(): string {
    return this.console.output();
  }

  /** the log file (SIP messages sent and received, all runs) */
  sipLog(): string {
    return existsSync(this.sipLogPath) ? readFileSync(this.sipLogPath, 'utf8') : '';
  }

  /** asks `status register` until the phone says it is registered */
  async waitRegistered(timeoutMs = PHONE_WAIT_MS): Promise<void> {
    await waitFor(`${this.opts.user}'s linphone to register`, async () => {
      const from = this.screen().length;
      this.console.type('status register');
      await sleep(300);
      return /registered, identity=/.test(this.screen().slice(from)) || undefined;
    }, { timeoutMs, intervalMs: 200 });
  }

  /** types `chat <to> <text>` (linphonec sends the rest of the line as it is, quotes included) */
  send(to: string, text: string): void {
    if (/[\r\n]/.test(text)) throw new Error('one line only');
    this.console.type(`chat ${to} ${text}`);
  }

  /** every message the console announced */
  received(): ReceivedMessage[] {
    return [...this.screen().matchAll(/Message received from (\S+): (.*)/g)].map((m) => ({ from: m[1], text: m[2].trimEnd() }));
  }

  async waitForMessage(from: string, text: string, timeoutMs = PHONE_WAIT_MS): Promise<ReceivedMessage> {
    return waitFor(`${this.opts.user}'s linphone to show "${text}" from ${from}`,
      () => this.received().find((m) => m.from === from && m.text === text), { timeoutMs });
  }

  /** the state the phone keeps for the message it sent with this text (the newest one), if any */
  sentState(text: string): MessageState | undefined {
    return this.messageRow(text, 1)?.state;
  }

  /** the IMDN Message-ID the phone gave the message it sent with this text */
  sentMessageId(text: string): string | undefined {
    return this.messageRow(text, 1)?.messageId;
  }

  async waitForSentState(text: string, states: MessageState[], timeoutMs = PHONE_WAIT_MS): Promise<MessageState> {
    return waitFor(() => `${this.opts.user}'s linphone to show "${text}" as ${states.join(' or ')} (it shows ${this.sentState(text) ?? 'no such sent message'})`,
      () => {
        const s = this.sentState(text);
        return s && states.includes(s) ? s : undefined;
      }, { timeoutMs, intervalMs: 200 });
  }

  private messageRow(text: string, direction: 0 | 1): { state: MessageState; messageId: string } | undefined {
    if (!existsSync(this.database)) return undefined;
    let db: Database.Database | undefined;
    try {
      db = new Database(this.database, { readonly: true, fileMustExist: true, timeout: 200 });
      const row = db.prepare(
        `SELECT m.state AS state, m.imdn_message_id AS id FROM conference_chat_message_event m
         JOIN chat_message_content c ON c.event_id = m.event_id
         WHERE m.direction = ? AND c.body = ? ORDER BY m.event_id DESC LIMIT 1`,
      ).get(direction, text) as { state: number; id: string } | undefined;
      return row && { state: MESSAGE_STATES[row.state] ?? (String(row.state) as MessageState), messageId: row.id };
    } catch {
      return undefined; // the phone is creating or writing its database: ask again
    } finally {
      db?.close();
    }
  }

  running(): boolean {
    return this.console.running();
  }

  /** the user quits linphonec: it unregisters (REGISTER with Expires: 0) and exits */
  async quit(timeoutMs = 5000): Promise<void> {
    if (!this.running()) return;
    this.console.type('quit');
    await waitFor(`${this.opts.user}'s linphone to exit`, () => !this.running(), { timeoutMs }).catch(() => undefined);
    this.console.kill();
  }

  /** the phone dies: no unregistration, its binding stays at the PF until it expires */
  kill(): void {
    this.console.kill();
  }

  /** starts linphonec again with the same config and database (same instance id) */
  restart(): void {
    if (this.running()) throw new Error('still running');
    this.launch();
  }

  /** MESSAGE requests this phone sent (all runs), from its log */
  sentMessageCount(): number {
    return countRequests(this.sipLog(), 'message sent to', 'MESSAGE');
  }

  /** MESSAGE requests this phone received (all runs), from its log */
  receivedMessageCount(): number {
    return countRequests(this.sipLog(), 'new bytes from', 'MESSAGE');
  }
}

function countRequests(log: string, marker: string, method: string): number {
  const re = new RegExp(`${marker}[^\\n]*\\n${method} sip:`, 'g');
  return (log.match(re) ?? []).length;
}

function linphonerc(aor: string, o: LinphoneOptions, ports: { sip: number; audio: number; video: number; text: number }, database: string): string {
  const pf = `127.0.0.1:${o.pfPort}`;
  return [
    '[sip]',
    `sip_port=${ports.sip}`,
    'sip_tcp_port=0',
    'sip_tls_port=0',
    'default_proxy=0',
    'register_only_when_network_is_up=0',
    'register_only_when_upnp_is_ok=0',
    'guess_hostname=0',
    `im_notif_policy=${o.imNotifPolicy ?? 'all'}`,
    '',
    '[rtp]',
    `audio_rtp_port=${ports.audio}`,
    `video_rtp_port=${ports.video}`,
    `text_rtp_port=${ports.text}`,
    '',
    '[video]',
    'capture=0',
    'display=0',
    '',
    '[proxy_0]',
    `reg_proxy=<sip:${pf};transport=udp>`,
    `reg_route=<sip:${pf};transport=udp;lr>`,
    `reg_identity=${aor}`,
    'reg_expires=300',
    'reg_sendregister=1',
    'publish=0',
    ...(o.cpmTag ? [`contact_parameters=${CPM_MSG_TAG}`] : []),
    '',
    // read only from here, not from [proxy_0]
    '[proxy_default_values]',
    `cpim_in_basic_chat_rooms_enabled=${o.cpim === false ? 0 : 1}`,
    '',
    '[misc]',
    'enable_basic_to_client_group_chat_room_migration=0',
    '',
    '[storage]',
    `uri=${database}`,
    '',
  ].join('\n');
}
