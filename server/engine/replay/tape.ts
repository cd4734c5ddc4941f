// One recorded engine call, as a line of JSON: the procedure, when, its arguments (the request
// view, the policy and preferences it was given), what each state lookup returned, and a
// fingerprint of what it produced with the decisions' branches and outcomes. Lines are built as
// text during the call: arguments are written before the procedure runs and each lookup's answer
// when it is made, so later changes to the shell's state cannot leak into the record.
import type { Decision } from '../decision';
import { hash53 } from './hash';
import { valueHash53, valueHashStream } from './value-hash';
import { base64url, sha1 } from './sha1';
import { PROCEDURES, type EngineOutput, type ProcedureName, type ReaderShape } from './procedures';
import type { ImdnPart } from '../imdn/receive';
import { parseCpimImdn } from '../parse/imdn';
import { viewOfText } from '../parse/sip-view';

/** A recorded call, parsed back. */
export interface RecordedCall {
  /** procedure name (PROCEDURES) */
  p: ProcedureName;
  /** epoch ms of the call */
  at: number;
  /** the arguments that are plain data */
  a: Record<string, unknown>;
  /** the arguments that were lookups (given to the call; some may not have been asked anything) */
  l?: string[];
  /** lookups made: [reader (field or field.method), its arguments, its answer (absent: undefined)] */
  r?: Array<[string, unknown[], unknown?]>;
  /** fingerprint of the result's effects and decisions */
  h: string;
  /** the decisions produced: [branch, outcome, servedUser] (servedUser '' when the engine gave none) */
  d: Array<[string, string, string]>;
}

/** A digest of a text, as a short string. */
export type TextHash = (text: string) => string;

/** The v1 digest: the first 72 bits of SHA-1, base64url (12 characters). */
export const fingerprintHashV1: TextHash = (text) => base64url(sha1(text).subarray(0, 9));

/**
 * A recorded fingerprint's form, told apart by its length and first character: `3` and 12
 * characters for lines recorded now (v3, D-288: the v2 form's content, hashed by walking it,
 * valueHash53); `2` and 12 characters for v2 (D-280: fingerprintTextV2, the behaviour only, under
 * cyrb53 of its JSON text, padded to 12 base-36 digits); 12 characters for v1 (the first text
 * form, fingerprintTextV1, under SHA-1); 11 at most for the oldest, cyrb53 of the first text form.
 * Every form is still checked, so recordings made before a change replay. On the request path,
 * inside the PF, the native SHA digests cost 4–6 µs a call (OpenSSL's per-call setup, measured
 * with the load running); of one result, hot, v2 cost 7 µs and the walk 2.5 µs (D-288). It only
 * has to tell a replayed result from the recorded one, and 53 bits do.
 */
const V2_MARK = '2';
const V3_MARK = '3';

/** The first text form: effects and whole decisions as one JSON array. */
function fingerprintTextV1(r: EngineOutput): string {
  return JSON.stringify([r.effects ?? [], r.decisions]);
}

/**
 * What a v2 fingerprint takes of each decision (D-280): what was decided and for whom, not how it
 * is explained. A decision's `summary` and `inputs` are its explanation to an operator: a later
 * version may word or detail them differently without deciding anything else, and a recording
 * must still replay equal under it; they were also most of the text hashed per call (about 2.5 of
 * 3.8 KB per forwarded IMDN). Effects are taken whole.
 */
const DECISION_FIELDS = ['branch', 'procedure', 'outcome', 'servedUser', 'messageId', 'disposition', 'sessionId', 'callId'] as const;
const EXPLANATION_FIELDS = ['summary', 'inputs'] as const;
// a field added to Decision must be put in one list or the other: otherwise a type error here
const everyField: Exclude<keyof Decision, (typeof DECISION_FIELDS)[number] | (typeof EXPLANATION_FIELDS)[number]> extends never ? true : never = true;
void everyField;

/** The v2 text form: effects and each decision's DECISION_FIELDS (absent as null), as one JSON array. */
function fingerprintTextV2(r: EngineOutput): string {
  return JSON.stringify(fingerprintContent(r));
}

/** What v2 and v3 take of a result: its effects, and each decision's DECISION_FIELDS (absent as null). */
function fingerprintContent(r: EngineOutput): [unknown[], unknown[][]] {
  const fields: unknown[][] = [];
  for (const d of r.decisions) fields.push(decisionFields(d));
  return [r.effects ?? [], fields];
}

// DECISION_FIELDS read by name, not through the list: a lookup by a varying key cost as much as
// hashing the result (D-288); the test below keeps the two in step
function decisionFields(d: Decision): unknown[] {
  return [d.branch, d.procedure, d.outcome, d.servedUser ?? null, d.messageId ?? null, d.disposition ?? null, d.sessionId ?? null, d.callId ?? null];
}
const inStep = DECISION_FIELDS.every((k, i) => decisionFields({ [k]: `~${k}` } as unknown as Decision)[i] === `~${k}`);
if (!inStep) throw new Error('tape.ts: decisionFields does not read DECISION_FIELDS in their order');

/** The v2 fingerprint (D-280): cyrb53 of the content's JSON text. */
export function resultFingerprintV2(r: EngineOutput): string {
  return V2_MARK + hash53(fingerprintTextV2(r)).padStart(12, '0');
}

/** The v3 fingerprint by its definition: the v2 content, hashed as a value (the test's reference for resultFingerprint). */
export function resultFingerprintByDefinition(r: EngineOutput): string {
  return V3_MARK + valueHash53(fingerprintContent(r)).padStart(12, '0');
}

/**
 * The fingerprint lines are recorded with now (v3, D-288), fed to the hash as fingerprintContent
 * would be walked, without building it: its per-decision arrays were a third of the
 * fingerprint's time on the request path (D-294). The same value as resultFingerprintByDefinition.
 */
export function resultFingerprint(r: EngineOutput): string {
  const s = valueHashStream;
  s.begin();
  s.arrayHead(2);
  s.element(r.effects ?? []);
  const ds = r.decisions;
  s.arrayHead(ds.length);
  for (let i = 0; i < ds.length; i++) {
    // DECISION_FIELDS in their order, as decisionFields reads them; the property test holds this equal to resultFingerprintByDefinition
    const d = ds[i];
    s.arrayHead(DECISION_FIELDS.length);
    s.element(d.branch);
    s.element(d.procedure);
    s.element(d.outcome);
    s.element(d.servedUser);
    s.element(d.messageId);
    s.element(d.disposition);
    s.element(d.sessionId);
    s.element(d.callId);
  }
  return V3_MARK + s.end().padStart(12, '0');
}

/** Whether a result has the recorded fingerprint, in whichever form it was recorded. */
export function fingerprintMatches(r: EngineOutput, recorded: string): boolean {
  if (recorded.length === 13 && recorded.startsWith(V3_MARK)) return resultFingerprint(r) === recorded;
  if (recorded.length === 13 && recorded.startsWith(V2_MARK)) return resultFingerprintV2(r) === recorded;
  if (recorded.length === 12) return fingerprintHashV1(fingerprintTextV1(r)) === recorded;
  return hash53(fingerprintTextV1(r)) === recorded;
}

export function decisionKeys(decisions: Decision[]): Array<[string, string, string]> {
  return decisions.map((d) => [d.branch, d.outcome, d.servedUser ?? '']);
}

/**
 * Arguments recorded by version instead of by value: the provider policy is the same object for
 * every call until an operator changes it, and a request's view is the same object for each
 * procedure that request goes through (dispatch, IMDN-RX, IMDN-DLV); both are the largest
 * arguments; a served user's preferences are one object per user in the shell's cache until they
 * change (D-288). A line then holds `{"$v":"<version>"}`; a definition line `{"v":"<version>","value":…}`
 * earlier in the same batch holds the value (the recorder writes it once per batch), so every batch
 * reads alone. The shell never edits a policy, a view or preferences in place (it builds new ones).
 */
export const VERSIONED_ARGS = ['policy', 'message', 'request', 'prefs'] as const;

/**
 * The recorder's side of versioning: the version of a value (it keeps the value for its batch);
 * `define` writes the value's definition line (default: by value, defineByValue); `needs`, a value
 * the definition refers to, is defined first in every batch that defines this one.
 */
export type Versioner = (value: object, define?: VersionDefinition, needs?: object) => string;

/** Writes the line that defines `version` as `value`. */
export type VersionDefinition = (version: string, value: object) => string;

/**
 * IMDN parts inside an argument, recorded by version (ProcedureSpec.imdnParts), per procedure: the
 * argument's name and the path below it. Used both ways: `{"$v":…}` in place of each object when
 * recording, the batch's value in place of each reference when reading; a line recorded before
 * a path was listed holds the objects by value and reads unchanged.
 */
const NESTED: ReadonlyMap<string, ReadonlyArray<readonly [string, readonly string[]]>> = new Map(
  Object.entries(PROCEDURES).flatMap(([name, spec]) => {
    const paths = (spec as { imdnParts?: readonly string[] }).imdnParts;
    return paths ? [[name, paths.map((p) => { const [arg, ...rest] = p.split('.'); return [arg, rest] as const; })]] : [];
  }),
);

/** `value` with `leaf(v, ctx)` applied at the path (`[]` each element, `*` each value): copies along the path, the original untouched. */
function mapAt<C>(value: unknown, path: readonly string[], leaf: (v: unknown, ctx: C) => unknown, ctx: C, from = 0): unknown {
  if (from === path.length) return leaf(value, ctx);
  if (!value || typeof value !== 'object') return value;
  const seg = path[from];
  if (seg === '[]') return Array.isArray(value) ? value.map((x) => mapAt(x, path, leaf, ctx, from + 1)) : value;
  if (Array.isArray(value)) return value;
  const o = value as Record<string, unknown>;
  if (seg === '*') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) out[k] = mapAt(o[k], path, leaf, ctx, from + 1);
    return out;
  }
  return seg in o ? { ...o, [seg]: mapAt(o[seg], path, leaf, ctx, from + 1) } : value;
}

/** What an IMDN part is recorded with: the versioner, and the request view of the same call, whose body a part may be. */
interface PartContext {
  versioner: Versioner;
  view?: { value: object; version: string; body: string };
}

/** An IMDN part in a recorded call: a reference to its definition in the batch. */
function partRef(v: unknown, c: PartContext): unknown {
  if (!v || typeof v !== 'object') return v;
  const view = c.view;
  if (view && (v as ImdnPart).raw === view.body) return { $v: c.versioner(v, imdnPartOfView(view.version), view.value) };
  return { $v: c.versioner(v, defineImdnPart) };
}

/** A part reference resolved from the batch's definitions. */
function partOf(v: unknown, c: { call: RecordedCall; arg: string; versions: ReadonlyMap<string, unknown> }): unknown {
  const ref = (v as { $v?: unknown } | null)?.$v;
  if (typeof ref !== 'string') return v;
  if (!c.versions.has(ref)) throw new Error(`recorded ${c.call.p} call at ${c.call.at} names a ${c.arg} part version ${ref}, not defined in its batch`);
  return c.versions.get(ref);
}

/** A lookup as the record holds it: [reader, its arguments, its answer unless absent]. */
function readLine(key: string, xs: unknown[], answer: unknown): string {
  // one JSON.stringify, not three pieced together: each call into it has a fixed cost (D-295)
  return JSON.stringify(answer === undefined ? [key, xs] : [key, xs, answer]);
}

/** The line that defines a version. */
export function versionLine(version: string, json: string): string {
  return `{"v":${JSON.stringify(version)},"value":${json}}`;
}

export const defineByValue: VersionDefinition = (version, value) => versionLine(version, JSON.stringify(value));

/**
 * A request view parsed from its SIP text (viewOfText) is defined as that text (D-298): a header
 * `{"v":…,"sip":<length>}`, a newline, then the text itself, unescaped; reading parses it again.
 * The view was the largest value written per MESSAGE (1.1 KB of JSON), and its JSON escaping
 * the largest single cost of the recording. The length is in UTF-16 units, which the UTF-8 round
 * trip of the batch keeps for a string without surrogates; a text with any is defined by value,
 * as JSON escapes it.
 */
function defineViewByText(text: string): VersionDefinition {
  return (version) => `{"v":${JSON.stringify(version)},"sip":${text.length}}\n${text}`;
}

// any surrogate, paired or not: such a text is rare (the embedded edge hands srf one character per
// byte) and is defined by value rather than checked pair by pair
const SURROGATE = /[\uD800-\uDFFF]/;

const SIP_HEADER = /^\{"v":("(?:[^"\\]|\\.)*"),"sip":(\d+)\}$/;

/**
 * A batch's text as its lines: one per call or definition, a view defined by its text (D-298)
 * as one line with that text after its header. What the recorder wrote joined with newlines.
 */
export function splitBatchText(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    const line = text.slice(at, nl);
    const m = line.startsWith('{"v":') ? SIP_HEADER.exec(line) : null;
    if (m) {
      const end = nl + 1 + Number(m[2]);
      if (end > text.length) throw new Error(`recorded view ${m[1]} is cut short: ${m[2]} characters announced, ${text.length - nl - 1} there`);
      out.push(text.slice(at, end));
      at = end + 1;
    } else {
      if (line !== '') out.push(line);
      at = nl + 1;
    }
  }
  return out;
}

/**
 * An IMDN part (ImdnPart) parsed from its own message/cpim text is defined without its parsed
 * form: `{"v":…,"part":…}` holds it less `cpim` and `imdn`, and reading rebuilds them from `raw`
 * with the parser that made them (parseCpimImdn, pure), so the part is written once, as text
 * (D-276). Any other part (not parsed, carried compressed, or from a body of another type, whose
 * `raw` is not what was parsed) is defined by value.
 */
export const defineImdnPart: VersionDefinition = (version, value) => {
  const p = value as ImdnPart;
  if (!rebuildsFromText(p)) return defineByValue(version, value);
  const { cpim: _cpim, imdn: _imdn, ...rest } = p;
  return `{"v":${JSON.stringify(version)},"part":${JSON.stringify(rest)}}`;
};

/** Whether a part is one message/cpim text, parsed by parseCpimImdn and nothing else: its parsed form can be rebuilt from `raw`. */
function rebuildsFromText(p: ImdnPart): boolean {
  return p.parsed === true && p.encoding === undefined && p.contentType === 'message/cpim' && typeof p.raw === 'string' && !!p.cpim && !!p.imdn;
}

/**
 * An IMDN part whose text is the whole body of a request view defined in the same batch (a
 * MESSAGE carrying one notification, the usual case): written as defineImdnPart writes it, less
 * `raw`, and `"rawOf"`, the view's version, instead (D-288). The body was half of the part's line,
 * and already in the batch once.
 */
function imdnPartOfView(viewVersion: string): VersionDefinition {
  return (version, value) => {
    if (!rebuildsFromText(value as ImdnPart)) return defineByValue(version, value);
    const { raw: _raw, cpim: _cpim, imdn: _imdn, ...rest } = value as ImdnPart;
    return `{"v":${JSON.stringify(version)},"part":${JSON.stringify(rest)},"rawOf":${JSON.stringify(viewVersion)}}`;
  };
}

/** A part written by defineImdnPart, whole again: its parsed form in the place receiveImdn puts it. */
function rebuildImdnPart(rest: Omit<ImdnPart, 'cpim' | 'imdn'>, version: string): ImdnPart {
  const r = parseCpimImdn(rest.raw);
  if (!r.ok) throw new Error(`recorded IMDN part ${version} does not parse as it did when recorded: ${r.error.message}`);
  const { raw, contentType, parsed, ...more } = rest;
  return { raw, contentType, parsed, cpim: r.value.cpim, imdn: r.value.imdn, ...more };
}

/** A call being recorded: the arguments to run it with, and `finish`, which makes its line. */
export interface CallRecording {
  args: object;
  finish(result: EngineOutput): string;
}

// A class, not an object of closures: under the TypeScript loader every named closure made per call
// also costs a defineProperty of its name (esbuild's keepNames), on the request path.
class Recording implements CallRecording {
  readonly args: Record<string, unknown> = {};
  readonly reads: string[] = [];
  readonly given: string[] = [];
  head = '';

  finish(result: EngineOutput): string {
    const given = this.given.length ? `,"l":${JSON.stringify(this.given)}` : '';
    const reads = this.reads.length ? `,"r":[${this.reads.join(',')}]` : '';
    return `${this.head}${given}${reads},"h":"${resultFingerprint(result)}","d":${JSON.stringify(decisionKeys(result.decisions))}}`;
  }

  /** `f` (a lookup named `key`) with each answer written down */
  reader(key: string, f: (...a: unknown[]) => unknown, self: unknown): (...xs: unknown[]) => unknown {
    const reads = this.reads;
    return (...xs) => {
      const answer = f.apply(self, xs);
      reads.push(readLine(key, xs, answer));
      return answer;
    };
  }
}

/** The version of argument `k`'s value; a request view the shell parsed from text is defined as that text (D-298). */
function versionOf(versioner: Versioner, viewText: ((view: object) => string | undefined) | undefined, k: string, v: object): string {
  const text = viewText && (k === 'request' || k === 'message') ? viewText(v) : undefined;
  return text !== undefined && !SURROGATE.test(text) ? versioner(v, defineViewByText(text)) : versioner(v);
}

/**
 * Starts recording a call: the arguments to call the procedure with (lookups wrapped so their
 * answers are written down) and `finish`, which turns the result into the call's line.
 */
export function beginCall(name: ProcedureName, args: object, at: number, versioner?: Versioner, viewText?: (view: object) => string | undefined): CallRecording {
  const readers: Record<string, ReaderShape | undefined> = PROCEDURES[name].readers ?? {};
  const rec = new Recording();
  const plain: Record<string, unknown> = {};
  const nested = versioner ? NESTED.get(name) : undefined;
  let parts: PartContext | undefined;
  if (nested) {
    parts = { versioner: versioner! };
    const a = args as { message?: { body?: unknown }; request?: { body?: unknown } };
    const view = a.message ?? a.request;
    if (view && typeof view === 'object' && typeof view.body === 'string') parts.view = { value: view, version: versionOf(versioner!, viewText, a.message ? 'message' : 'request', view), body: view.body };
  }
  for (const k in args) {
    const v = (args as Record<string, unknown>)[k];
    const shape = readers[k];
    if (shape === 'fn' && typeof v === 'function') {
      rec.given.push(k);
      rec.args[k] = rec.reader(k, v as (...a: unknown[]) => unknown, undefined);
    } else if (Array.isArray(shape) && v && typeof v === 'object') {
      rec.given.push(k);
      const o: Record<string, unknown> = {};
      for (const m of shape as string[]) {
        const f = (v as Record<string, unknown>)[m];
        if (typeof f === 'function') o[m] = rec.reader(`${k}.${m}`, f as (...a: unknown[]) => unknown, v);
      }
      rec.args[k] = o;
    } else {
      let recorded: unknown = versioner && v && typeof v === 'object' && (VERSIONED_ARGS as readonly string[]).includes(k) ? { $v: versionOf(versioner, viewText, k, v) } : v;
      if (nested) for (const [arg, path] of nested) if (arg === k) recorded = mapAt(recorded, path, partRef, parts!);
      plain[k] = recorded;
      rec.args[k] = v;
    }
  }
  rec.head = `{"p":${JSON.stringify(name)},"at":${at},"a":${JSON.stringify(plain)}`;
  return rec;
}

/** What replay reports about lookups the recording cannot answer (only possible under what-if). */
export interface LookupMisses {
  count: number;
}

/**
 * The arguments of a recorded call rebuilt for running it again: plain data as recorded, lookups
 * answered from the record. A lookup with arguments never recorded (a what-if policy can ask
 * other questions) is answered by the recorded lookup of the same reader with the same first
 * argument, else as absent; each such miss is counted.
 */
export function replayArgs(call: RecordedCall, misses: LookupMisses = { count: 0 }): Record<string, unknown> {
  const readers: Record<string, ReaderShape | undefined> = PROCEDURES[call.p].readers ?? {};
  const byKey = new Map<string, { args: string; first: string; answer: string | undefined }[]>();
  for (const [key, xs, answer] of call.r ?? []) {
    const list = byKey.get(key) ?? [];
    list.push({ args: JSON.stringify(xs), first: JSON.stringify(xs[0]), answer: answer === undefined ? undefined : JSON.stringify(answer) });
    byKey.set(key, list);
  }
  const lookup = (key: string) => (...xs: unknown[]) => {
    const list = byKey.get(key) ?? [];
    const exact = JSON.stringify(xs);
    let hit = list.find((e) => e.args === exact);
    if (!hit) {
      misses.count++;
      const first = JSON.stringify(xs[0]);
      hit = list.find((e) => e.first === first);
    }
    // a fresh copy for every answer: the engine must not see one answer change under it
    return hit?.answer === undefined ? undefined : JSON.parse(hit.answer);
  };
  const args: Record<string, unknown> = structuredCloneJson(call.a);
  for (const k of call.l ?? []) {
    const shape = readers[k];
    if (shape === 'fn') args[k] = lookup(k);
    else if (Array.isArray(shape)) args[k] = Object.fromEntries((shape as string[]).map((m) => [m, lookup(`${k}.${m}`)]));
  }
  return args;
}

function structuredCloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** One call's line, its versioned arguments resolved from `versions` (a batch's definitions). */
export function parseRecordedCall(line: string, versions: ReadonlyMap<string, unknown> = new Map()): RecordedCall {
  const c = JSON.parse(line) as RecordedCall;
  if (!c || typeof c.p !== 'string' || !(c.p in PROCEDURES)) throw new Error(`not a recorded engine call: ${line.slice(0, 80)}`);
  for (const k of VERSIONED_ARGS) {
    const ref = (c.a as Record<string, { $v?: unknown } | undefined>)[k]?.$v;
    if (typeof ref !== 'string') continue;
    if (!versions.has(ref)) throw new Error(`recorded ${c.p} call at ${c.at} names ${k} version ${ref}, not defined in its batch`);
    c.a[k] = versions.get(ref);
  }
  for (const [arg, path] of NESTED.get(c.p) ?? []) {
    if (c.a[arg] !== undefined) c.a[arg] = mapAt(c.a[arg], path, partOf, { call: c, arg, versions });
  }
  return c;
}

/** A batch's lines: version definitions and calls, in the order written. */
export function parseBatch(lines: string[]): RecordedCall[] {
  const versions = new Map<string, unknown>();
  const calls: RecordedCall[] = [];
  for (const line of lines) {
    if (line.startsWith('{"v":')) {
      const nl = line.indexOf('\n');
      if (nl >= 0) {
        // a view defined by its SIP text (D-298)
        const m = SIP_HEADER.exec(line.slice(0, nl));
        const text = line.slice(nl + 1);
        if (!m || Number(m[2]) !== text.length) throw new Error(`not a recorded view's text: ${line.slice(0, 80)}`);
        versions.set(JSON.parse(m[1]) as string, viewOfText(text));
        continue;
      }
      const d = JSON.parse(line) as { v: string; value?: unknown; part?: Omit<ImdnPart, 'cpim' | 'imdn'>; rawOf?: string };
      if (d.part && d.rawOf !== undefined) {
        const body = (versions.get(d.rawOf) as { body?: unknown } | undefined)?.body;
        if (typeof body !== 'string') throw new Error(`recorded IMDN part ${d.v} takes its text from ${d.rawOf}, not a request view defined before it in its batch`);
        d.part = { ...d.part, raw: body };
      }
      versions.set(d.v, d.part ? rebuildImdnPart(d.part, d.v) : d.value);
    } else calls.push(parseRecordedCall(line, versions));
  }
  return calls;
}
