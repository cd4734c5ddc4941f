// BODY (D-112): a request whose body the PF must inspect but cannot read is refused before any
// handler sees it. A compressed body that inflates past the inspection cap gets 413 (a compression
// bomb costs the PF the cap, never more); one that does not inflate gets 400. An encoding the PF
// does not know is not refused: such a body is relayed as it is and never inspected (BODY-1).
import { decide, type Decision } from '../decision';
import type { Inspectable } from '../parse/content-encoding';

export interface BodyCheck {
  decisions: Decision[];
  reject?: { code: 400 | 413; reason: string };
}

export function checkBody(inspection: Inspectable, servedUser?: string, callId?: string): BodyCheck {
  if (inspection.ok && !('opaque' in inspection)) return { decisions: [] };
  if (inspection.ok) {
    return {
      decisions: [
        decide({
          branch: 'BODY-1',
          procedure: 'DSP',
          outcome: 'OPAQUE',
          summary: `The body's Content-Encoding "${inspection.encoding}" is not one the PF can undo (gzip, deflate), so the body is passed on unchanged and not read: it cannot be recognised as a notification.`,
          inputs: { contentEncoding: inspection.encoding },
          servedUser,
          callId,
        }),
      ],
    };
  }
  const tooLarge = inspection.code === 413;
  return {
    decisions: [
      decide({
        branch: tooLarge ? 'BODY-2' : 'BODY-3',
        procedure: 'DSP',
        outcome: 'REJECT',
        summary: tooLarge
          ? `Refused with 413: ${inspection.why}. A body that small must not cost more than the cap to read.`
          : `Refused with 400: ${inspection.why}; the PF cannot tell what the request carries.`,
        inputs: { contentEncoding: inspection.encoding, why: inspection.why },
        servedUser,
        callId,
      }),
    ],
    reject: { code: inspection.code, reason: tooLarge ? 'Request Entity Too Large' : 'Bad Request' },
  };
}
