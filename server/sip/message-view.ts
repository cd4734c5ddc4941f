// Turns a raw SIP message (as srf received it) into the engine's SipMessageView. srf's own parser
// joins repeated header lines with commas, which loses the line boundaries that Reason, CPIM and
// Accept-Contact parsing depend on, so the shell splits the raw text itself. With the embedded
// edge the raw message is a byte string (one character per byte, D-112), so the body is exactly
// the bytes that came; a compressed body is inflated here, once, for the engine to inspect.
import { header, type SipMessageView } from '../engine/message';
import { viewOfText } from '../engine/parse/sip-view';
import type { Inspectable } from '../engine/parse/content-encoding';
import { inspectable } from './inflate';

export function viewFromRaw(raw: string): SipMessageView {
  return inspectView(viewOnly(raw)).view;
}

/** The view, and what inflating its body gave (for the engine's BODY check). */
export function inspectView(view: SipMessageView): { view: SipMessageView; inspection: Inspectable } {
  const inspection = inspectable(view.body, header(view, 'content-encoding'));
  if (!inspection.ok) return { view: { ...view, text: '' }, inspection };
  if ('opaque' in inspection) return { view: { ...view, text: '' }, inspection };
  return { view: inspection.encoding ? { ...view, text: inspection.text } : view, inspection };
}

/** The text each view was parsed from: the recording writes such a view as that text (D-298). */
const sourceText = new WeakMap<SipMessageView, string>();

export function viewOnly(raw: string): SipMessageView {
  const view = viewOfText(raw);
  sourceText.set(view, raw);
  return view;
}

/** Views parsed before the handlers ran, by the request's `msg` (the MESSAGE link parses once, D-341). */
const parsedOf = new WeakMap<object, SipMessageView>();

/** Says that `view` is what `msg`'s text parses to, so viewOfRequest does not parse it again. */
export function rememberView(msg: object, view: SipMessageView): void {
  parsedOf.set(msg, view);
}

/** A request's view: the one already parsed for it, else parsed from its text now. */
export function viewOfRequest(req: { msg: { raw?: string; toString(): string } }): SipMessageView {
  return parsedOf.get(req.msg) ?? viewOnly(req.msg.raw ?? req.msg.toString());
}

/** The text `view` was parsed from, when viewOnly made it (a copy made from it has none). */
export function sourceTextOf(view: object): string | undefined {
  return sourceText.get(view as SipMessageView);
}
