// Keeps what the engine's LOOP checks (D-114) read: how many notifications each user sent about
// each message lately, and the ids of the notifications delivered to each user. Both are bounded.
import type { LoopWindow } from '../../engine/loop/notification-loop';
import { directEngine, type EngineCalls } from '../engine-calls';
import type { Decision } from '../../engine/decision';

const MAX_WINDOWS = 10_000;
const NOTIFICATIONS_KEPT_PER_USER = 256;
const MAX_USERS = 10_000;

export class LoopGuard {
  private readonly windows = new Map<string, LoopWindow>();
  private readonly delivered = new Map<string, Set<string>>();

  /** `engine`: how the checks are called (the PF's recorded seam) */
  constructor(private readonly engine: () => EngineCalls = () => directEngine) {}

  /** A notification with this imdn.Message-ID was delivered to the user. */
  notedDelivered(servedUser: string, notificationId: string): void {
    let ids = this.delivered.get(servedUser);
    if (!ids) {
      if (this.delivered.size >= MAX_USERS) this.delivered.delete(this.delivered.keys().next().value!);
      this.delivered.set(servedUser, (ids = new Set()));
    }
    ids.add(notificationId);
    if (ids.size > NOTIFICATIONS_KEPT_PER_USER) ids.delete(ids.values().next().value!);
  }

  /** The served user's client sends a notification about messageId to recipient: may it pass? */
  check(servedUser: string, recipient: string, messageId: string, now: number): { allow: boolean; decisions: Decision[] } {
    const about = this.engine().call('checkNotificationAboutNotification', { servedUser, messageId, wasNotification: this.delivered.get(servedUser)?.has(messageId) ?? false });
    if (!about.allow) return about;
    const key = `${servedUser}|${recipient}|${messageId}`;
    const r = this.engine().call('checkNotificationLoop', { window: this.windows.get(key), servedUser, recipient, messageId, now });
    this.windows.delete(key);
    if (this.windows.size >= MAX_WINDOWS) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(key, r.window);
    return r;
  }
}
