// Content-Encoding (RFC 3261 §20.12): a compressed body is inflated only to be looked at (is it a
// notification? which message does it speak of?). What the PF relays is always the body as it
// came, with its Content-Encoding. Bodies are byte strings: one character per byte (D-112). The
// shell inflates (server/sip/inflate.ts) and hands the engine the result.
import type { SipMessageView } from '../message';

/** Largest inflated body the PF inspects: a notification or chat message is a few KiB. */
export const MAX_INFLATED_BYTES = 1024 * 1024;

export type Inspectable =
  /** text to inspect (the body itself, or what it inflates to), as a byte string */
  | { ok: true; text: string; encoding?: string }
  /** an encoding the PF does not know: the body is relayed, never inspected */
  | { ok: true; opaque: true; encoding: string }
  | { ok: false; code: 400 | 413; encoding: string; why: string };

/** The codings of a Content-Encoding value, in the order they were applied. */
export function codings(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
}

/** What a branch reads when it needs the body as text: the inflated body when it was compressed. */
export function bodyText(view: Pick<SipMessageView, 'body' | 'text'>): string {
  return view.text ?? view.body;
}
