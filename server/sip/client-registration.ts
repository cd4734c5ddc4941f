// What the engine needs to know of a registered client, derived from its REGISTER Contact.
import type { ClientRegistration } from '../engine/imdn/registration';
import { paramValue, splitParams } from './addresses';
import type { Binding } from './registrar';

export function clientRegistration(b: Binding): ClientRegistration {
  const icsiRef = paramValue(b.featureTags, '+g.3gpp.icsi-ref') ?? '';
  const icsis = icsiRef
    .split(',')
    .map((s) => safeDecode(s.trim()).toLowerCase())
    .filter(Boolean);
  const imdnAggregation = splitParams(b.featureTags).some((p) => p.trim().toLowerCase() === 'imdn-aggregation');
  return { contact: b.contact, icsis, imdnAggregation, userAgent: b.userAgent };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
