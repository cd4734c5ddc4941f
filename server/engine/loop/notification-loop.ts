// LOOP (D-114): two clients that answer each notification with another one about the same message
// (a client that cannot read what it got and reports it back, say) drive traffic through the PF
// without end. A message gets only a handful of notifications from one user to another (delivered,
// displayed, processed, a few retries), so past a limit within a window further notifications
// about it between the same two users are dropped, answered 200 so the sender does not retry.
import { decide, type Decision } from '../decision';

export const LOOP_LIMIT = 10;
export const LOOP_WINDOW_MS = 60_000;

export interface LoopWindow {
  since: number;
  count: number;
  dropped: number;
}

export interface LoopCheck {
  allow: boolean;
  window: LoopWindow;
  /** the first drop in a window is explained; the rest are counted in it, not logged one by one */
  decisions: Decision[];
}

export function checkNotificationLoop(input: {
  window: LoopWindow | undefined;
  servedUser: string;
  recipient: string;
  messageId: string;
  now: number;
  limit?: number;
  windowMs?: number;
}): LoopCheck {
  const limit = input.limit ?? LOOP_LIMIT;
  const windowMs = input.windowMs ?? LOOP_WINDOW_MS;
  const w = input.window && input.now - input.window.since < windowMs ? input.window : { since: input.now, count: 0, dropped: 0 };
  if (w.count < limit) return { allow: true, window: { ...w, count: w.count + 1 }, decisions: [] };
  const next = { ...w, dropped: w.dropped + 1 };
  const decisions =
    w.dropped === 0
      ? [
          decide({
            branch: 'LOOP-1',
            procedure: 'IMDN-TX',
            outcome: 'DROP',
            summary: `${input.servedUser} has sent ${w.count} notifications about message ${input.messageId} to ${input.recipient} within ${windowMs / 1000} s; more are dropped (answered 200) until the window ends, so two clients cannot keep notifying each other without end.`,
            inputs: { limit, windowSec: windowMs / 1000, count: w.count, recipient: input.recipient },
            servedUser: input.servedUser,
            messageId: input.messageId,
          }),
        ]
      : [];
  return { allow: false, window: next, decisions };
}

/**
 * LOOP-2: a notification about a message that was itself a notification. RFC 5438 §7.2: a
 * notification requests no notification, so a client that reports on one is misbehaving (it could
 * not read it, typically), and its report would start the exchange again at the other side.
 */
export function checkNotificationAboutNotification(input: {
  servedUser: string;
  messageId: string;
  /** the PF delivered a notification with this imdn.Message-ID to the served user */
  wasNotification: boolean;
}): { allow: boolean; decisions: Decision[] } {
  if (!input.wasNotification) return { allow: true, decisions: [] };
  return {
    allow: false,
    decisions: [
      decide({
        branch: 'LOOP-2',
        procedure: 'IMDN-TX',
        outcome: 'DROP',
        summary: `${input.servedUser}'s client reports on ${input.messageId}, which was a disposition notification, not a message: notifications are never reported on (RFC 5438), so it is dropped (answered 200) and cannot start another round.`,
        inputs: { messageId: input.messageId },
        servedUser: input.servedUser,
        messageId: input.messageId,
      }),
    ],
  };
}
