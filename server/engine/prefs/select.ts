// Where the served user's preferences come from (SPEC §11.6 PREF-1..3, AMB-42), as a pure
// function of the XDMS fetch outcome and the last known copy. A lost XDMS must not turn every
// preference off: a disconnected client would then lose its intercepted messages (BYE-4).
import { decide, type Decision } from '../decision';
import type { UserPrefs } from '../model';
import type { Policy } from '../policy';
import { NO_PREFS, parseXdmsPrefs, type CpmPrefValues } from './xdms-document';

/** What the XCAP GET produced: an HTTP status (with body and ETag), or no answer at all. */
export type XdmsFetchOutcome =
  | { kind: 'RESPONSE'; status: number; body?: string; etag?: string }
  | { kind: 'NO_RESPONSE'; reason: 'CONNECTION_FAILED' | 'TIMEOUT' };

export interface LastKnownPrefs {
  /** '' when the XDMS said the user has no document (404) */
  document: string;
  etag?: string;
  values: CpmPrefValues;
}

export interface PrefsSelection {
  prefs: UserPrefs;
  /** the copy to keep for next time (unchanged when the XDMS was not reached) */
  lastKnown?: LastKnownPrefs;
  decision: Decision;
}

function describeOutcome(o: XdmsFetchOutcome): string {
  return o.kind === 'NO_RESPONSE' ? (o.reason === 'TIMEOUT' ? 'timed out' : 'could not be reached') : `answered ${o.status}`;
}

export function selectUserPrefs(input: { servedUser?: string; outcome: XdmsFetchOutcome; lastKnown?: LastKnownPrefs; policy: Pick<Policy, 'defaultUserPrefs'> }): PrefsSelection {
  const { outcome, lastKnown, servedUser } = input;
  const inputs: Record<string, unknown> = {
    xdms: outcome.kind === 'RESPONSE' ? { status: outcome.status, etag: outcome.etag } : { error: outcome.reason },
    lastKnownCopy: lastKnown ? { etag: lastKnown.etag, values: lastKnown.values } : 'none',
  };
  const xdms = (values: CpmPrefValues, keep: LastKnownPrefs | undefined, summary: string): PrefsSelection => ({
    prefs: { ...values, source: 'XDMS' },
    lastKnown: keep,
    decision: decide({ branch: 'PREF-1', procedure: 'PREF', outcome: 'XDMS', summary, inputs: { ...inputs, values }, servedUser }),
  });

  let unreadable: string | undefined;
  if (outcome.kind === 'RESPONSE') {
    if (outcome.status === 200) {
      const parsed = parseXdmsPrefs(outcome.body ?? '');
      if (parsed.ok) {
        return xdms(parsed.value, { document: outcome.body ?? '', etag: outcome.etag, values: parsed.value }, `Preferences read from the XDMS for ${servedUser ?? 'the user'}.`);
      }
      unreadable = parsed.error.message;
    } else if (outcome.status === 304 && lastKnown) {
      return xdms(lastKnown.values, lastKnown, `The XDMS confirmed the cached preference document (ETag ${lastKnown.etag ?? 'none'}) is current.`);
    } else if (outcome.status === 404) {
      return xdms({ ...NO_PREFS }, { document: '', etag: undefined, values: { ...NO_PREFS } }, `The user has no preference document in the XDMS, so no rule applies and every preference is off.`);
    }
  }
  // PREF-2 / PREF-3: the XDMS gave nothing usable (no answer, 5xx, an unusable document, …).
  const why = unreadable ? `sent a document that cannot be read (${unreadable})` : describeOutcome(outcome);
  if (lastKnown) {
    return {
      prefs: { ...lastKnown.values, source: 'CACHED' },
      lastKnown,
      decision: decide({
        branch: 'PREF-2',
        procedure: 'PREF',
        outcome: 'CACHED',
        summary: `The XDMS ${why}; the last known preferences are used instead.`,
        inputs: { ...inputs, values: lastKnown.values },
        servedUser,
      }),
    };
  }
  const defaults = { ...input.policy.defaultUserPrefs };
  return {
    prefs: { ...defaults, source: 'PROVIDER_DEFAULTS' },
    lastKnown: undefined,
    decision: decide({
      branch: 'PREF-3',
      procedure: 'PREF',
      outcome: 'PROVIDER_DEFAULTS',
      summary: `The XDMS ${why} and no earlier copy exists; the service provider's default preferences are used.`,
      inputs: { ...inputs, 'policy.defaultUserPrefs': defaults },
      servedUser,
    }),
  };
}
