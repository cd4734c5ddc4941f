// Validation of a service-provider policy edited in the console (SPEC §2). Input is untrusted
// JSON; missing settings take the spec defaults, anything else must be exactly right, and every
// problem is reported in words an operator can act on (the console shows them next to the field).
import { DEFAULT_POLICY, type Policy, type SkipService } from './policy';

export interface PolicyFieldError {
  field: string;
  message: string;
}

export type PolicyValidation = { ok: true; policy: Policy } | { ok: false; errors: PolicyFieldError[] };

const SKIP_SERVICES: SkipService[] = ['INTERWORKING', 'DEFERRAL', 'MESSAGE_STORE', 'BLACKLIST', 'USER_PREFS'];

type Check = (value: unknown, field: string, errors: PolicyFieldError[]) => unknown;

const bool: Check = (v, field, errors) => {
  if (typeof v === 'boolean') return v;
  errors.push({ field, message: `${field} must be true or false` });
};

function int(min: number, max: number, unit: string): Check {
  return (v, field, errors) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    errors.push({ field, message: `${field} must be a whole number of ${unit} between ${min} and ${max}` });
  };
}

function oneOf<T extends string>(values: readonly T[]): Check {
  return (v, field, errors) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v;
    errors.push({ field, message: `${field} must be one of ${values.map((x) => `"${x}"`).join(', ')}` });
  };
}

/**
 * pf.mode: the BYE-P procedures exist in the engine, but the SIP shell sets every session up as a
 * B2BUA (one dialog per leg), so there is no signalling path to forward a BYE along (D-144).
 */
const b2buaOnly: Check = (v, field, errors) => {
  if (v === 'b2bua') return v;
  errors.push({
    field,
    message: v === 'proxy'
      ? `${field} "proxy" is not available: this PF sets sessions up as a B2BUA, so a BYE has no signalling path to be forwarded along (DECISIONS D-144); use "b2bua"`
      : `${field} must be "b2bua"`,
  });
};

function list(item: (v: unknown) => string | undefined, what: string, max = 100): Check {
  return (v, field, errors) => {
    if (!Array.isArray(v)) {
      errors.push({ field, message: `${field} must be a list of ${what}` });
      return;
    }
    if (v.length > max) {
      errors.push({ field, message: `${field} may hold at most ${max} entries` });
      return;
    }
    let ok = true;
    v.forEach((x, i) => {
      const problem = item(x);
      if (problem) {
        errors.push({ field: `${field}[${i}]`, message: problem });
        ok = false;
      }
    });
    return ok ? [...v] : undefined;
  };
}

const regexSource = (x: unknown): string | undefined => {
  if (typeof x !== 'string' || x.length === 0 || x.length > 200) return 'each pattern must be a non-empty text of at most 200 characters';
  try {
    new RegExp(x, 'i');
    return undefined;
  } catch (e) {
    return `"${x}" is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`;
  }
};

const domain = (x: unknown): string | undefined =>
  typeof x === 'string' && /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(x)
    ? undefined
    : `"${String(x)}" is not a domain name such as ims.example.com`;

const numberRange = (x: unknown): string | undefined =>
  typeof x === 'string' && /^\+[0-9]{1,15}$/.test(x) ? undefined : `"${String(x)}" is not an E.164 prefix such as +1555123 ("+" and 1 to 15 digits)`;

const FIELDS: Record<Exclude<keyof Policy, 'imdnAggregation' | 'defaultUserPrefs' | 'iariSkipMap' | 'unmatchedNextHop'>, Check> = {
  pfMode: b2buaOnly,
  directDeliveryToAllClients: bool,
  untaggedClientsSuitable: bool,
  isolateClientLegErrors: bool,
  propagateReasonHeader: bool,
  byeRelayTimeoutMs: int(100, 31000, 'milliseconds'),
  gsoRosterTimeoutMs: int(0, 31000, 'milliseconds'),
  reinviteGlareRetries: int(0, 10, 'retries'),
  allowLongLivedGroupRestart: bool,
  remainOnConnectionLossFor1to1: bool,
  iwfByeScope: oneOf(['IWF_STREAMS_ONLY', 'WHOLE_SESSION'] as const),
  answerNetworkByeImmediately: bool,
  imdnDirectForward: bool,
  imdnCacheTtlSec: int(1, 31536000, 'seconds'),
  imdnDedupKey: oneOf(['STATUS_RANKED', 'TYPE', 'TYPE_AND_STATUS'] as const),
  isComposingRuleWithoutCacheHit: bool,
  suppressInterworkingAfterDelivery: bool,
  checkXdmsForImdnStorage: bool,
  recordingEnabled: bool,
  setSeenOnDisplay: bool,
  nonImdnUserAgentPatterns: list(regexSource, 'regular expressions'),
  homeDomains: list(domain, 'domain names', 1000),
  homeNumberRanges: list(numberRange, 'E.164 prefixes', 10000),
  unmatchedRequestAction: oneOf(['REJECT', 'PROXY'] as const),
  unmatchedRequestResponse: int(400, 699, 'SIP status code'),
  confSubscribeExpiresSec: int(60, 86400, 'seconds'),
};

const AGGREGATION: Record<keyof Policy['imdnAggregation'], Check> = {
  enabled: bool,
  maxPerBody: int(1, 100, 'notifications'),
  windowMs: int(1, 60000, 'milliseconds'),
  requireClientTag: bool,
};

const USER_PREFS: Record<keyof Policy['defaultUserPrefs'], Check> = {
  allowOfflineStorage: bool,
  allowStore: bool,
  allowDefer: bool,
  hasCpmOfflineStorageRule: bool,
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function section<T extends object>(input: unknown, prefix: string, checks: Record<string, Check>, defaults: T, errors: PolicyFieldError[]): T {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  if (input === undefined) return out as T;
  if (!isRecord(input)) {
    errors.push({ field: prefix, message: `${prefix} must be an object with the settings ${Object.keys(checks).join(', ')}` });
    return out as T;
  }
  for (const [k, v] of Object.entries(input)) {
    const field = `${prefix}.${k}`;
    if (!Object.hasOwn(checks, k)) {
      errors.push({ field, message: `${field} is not a known setting` });
      continue;
    }
    if (v === undefined) continue;
    const r = checks[k](v, field, errors);
    if (r !== undefined) out[k] = r;
  }
  return out as T;
}

/** Validate a (possibly partial) policy; missing settings take the SPEC §2 defaults. Never throws. */
export function validatePolicy(input: unknown): PolicyValidation {
  const errors: PolicyFieldError[] = [];
  if (!isRecord(input)) return { ok: false, errors: [{ field: '', message: 'the policy must be an object of settings' }] };
  const out: Record<string, unknown> = { ...DEFAULT_POLICY };
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (k === 'imdnAggregation') out[k] = section(v, k, AGGREGATION, DEFAULT_POLICY.imdnAggregation, errors);
    else if (k === 'defaultUserPrefs') out[k] = section(v, k, USER_PREFS, DEFAULT_POLICY.defaultUserPrefs, errors);
    else if (k === 'iariSkipMap') {
      if (!isRecord(v)) {
        errors.push({ field: k, message: 'iariSkipMap must map each Accept-Contact string to a list of services to skip' });
        continue;
      }
      const map: Record<string, SkipService[]> = {};
      for (const [tag, services] of Object.entries(v)) {
        const field = `iariSkipMap.${tag}`;
        if (tag.trim() === '' || tag === '__proto__') {
          errors.push({ field, message: 'iariSkipMap keys must be non-empty feature strings' });
          continue;
        }
        const r = list((s) => (typeof s === 'string' && (SKIP_SERVICES as string[]).includes(s) ? undefined : `"${String(s)}" is not one of ${SKIP_SERVICES.join(', ')}`), 'services')(services, field, errors);
        if (r) map[tag] = r as SkipService[];
      }
      out[k] = map;
    } else if (k === 'unmatchedNextHop') {
      if (v === null) out[k] = undefined;
      else if (typeof v === 'string' && /^sips?:\S+$/i.test(v)) out[k] = v;
      else errors.push({ field: k, message: 'unmatchedNextHop must be a sip: or sips: URI, or empty' });
    } else if (Object.hasOwn(FIELDS, k)) {
      const r = FIELDS[k as keyof typeof FIELDS](v, k, errors);
      if (r !== undefined) out[k] = r;
    } else {
      errors.push({ field: k, message: `${k} is not a known policy setting` });
    }
  }
  const p = out as unknown as Policy;
  if (errors.length === 0 && p.gsoRosterTimeoutMs > p.byeRelayTimeoutMs) {
    errors.push({ field: 'gsoRosterTimeoutMs', message: `gsoRosterTimeoutMs (${p.gsoRosterTimeoutMs}) must not exceed byeRelayTimeoutMs (${p.byeRelayTimeoutMs}); the roster wait is counted inside the BYE relay wait` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policy: p };
}
