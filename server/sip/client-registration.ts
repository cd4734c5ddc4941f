// What the engine needs to know of a registered client, derived from its REGISTER Contact.
import type { ClientRegistration } from '../engine/imdn/registration';
import { paramValue, splitParams } from './addresses';
import type { Binding } from './registrar';

// A binding never changes once registered (a refresh makes a new one), and every MESSAGE to its
// user asked for its registration again: about 3 % of the main thread's allocation under IMDN
// load (bench/profiles/ea51919-1000-heap.txt). Frozen, as it is shared by every call.
const made = new WeakMap<Binding, ClientRegistration>();

export function clientRegistration(b: Binding): ClientRegistration {
  let r = made.get(b);
  if (!r) {
    r = derive(b);
    made.set(b, r);
  }
  return r;
}

function derive(b: Binding): ClientRegistration {
  const icsiRef = paramValue(b.featureTags, '+g.3gpp.icsi-ref') ?? '';
  const icsis = icsiRef
    .split(',')
    .map((s) => safeDecode(s.trim()).toLowerCase())
    .filter(Boolean);
  const imdnAggregation = splitParams(b.featureTags).some((p) => p.trim().toLowerCase() === 'imdn-aggregation');
  return Object.freeze({ contact: b.contact, icsis: Object.freeze(icsis) as string[], imdnAggregation, userAgent: b.userAgent });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
