// MATRIX fixtures (G1, G3, O1, I1, I2, S1, R1, P(x), BYE(r)) shared by the BYE tests.
import { folderLabel, type Effect } from '../effects';
import type { CpmSession, Leg, LegKind, ParticipantRoster, UserPrefs } from '../model';
import { withPolicy, type Policy, type PolicyOverrides } from '../policy';
import type { SipMessageView } from '../message';
import type { ByeSession } from './bye-state';
import { handleBye, type ByeOutcome } from './handle-bye';
import type { ByeInput, ByeReceived, InterceptedItem, MsrpSendReceived, ResponseReceived } from './inputs';

export const T0 = Date.UTC(2015, 10, 10, 11, 0, 0);
export const ALICE = 'sip:+15551230001@ims.alpha.example';
export const BOB = 'sip:+15551230002@ims.alpha.example';
export const CAROL = 'sip:+15551230003@ims.alpha.example';
export const GROUP = 'sip:grp-7f3a91@cpm-cf.alpha.example';
export const FOLDER = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6/abcdef12-3456-7890-abcd-ef0123456789';

const CLIENT_SDP = [
  'v=0',
  'o=- 2890844526 2890844527 IN IP4 cpm-pf.alpha.example',
  's=-',
  'c=IN IP4 198.51.100.20',
  't=0 0',
  'm=message 7392 TCP/MSRP *',
  'a=accept-types:message/cpim',
  'm=message 7394 TCP/MSRP *',
  'a=accept-types:message/cpim',
  '',
].join('\r\n');

export function leg(id: string, kind: LegKind, extra: Partial<Leg> = {}): Leg {
  return {
    id,
    kind,
    dialog: {
      callId: `${id}-call@example`,
      localTag: `pf-${id}`,
      remoteTag: `rt-${id}`,
      localCseq: 10,
      localUri: kind === 'CLIENT' ? GROUP : ALICE,
      remoteUri: kind === 'CLIENT' ? ALICE : GROUP,
      remoteTarget: `sip:${id}@remote.example;transport=tcp`,
      routeSet: [`<sip:proxy-${id}.example;lr>`],
    },
    mediaStreams: [{ mLine: 1, protocol: 'MSRP' }],
    state: 'CONNECTED',
    suitable: kind === 'CLIENT',
    ...extra,
  };
}

export function roster(users: Record<string, { state?: 'connected' | 'disconnected'; method?: string; left?: boolean; name?: string }>, source: ParticipantRoster['source'] = 'RELAYED'): ParticipantRoster {
  const out: ParticipantRoster = { version: 3, confActive: true, users: {}, source, conferenceEntity: GROUP };
  for (const [entity, u] of Object.entries(users)) {
    out.users[entity] = {
      displayText: u.name,
      state: 'full',
      endpoints: {
        [`${entity};ep`]: { entity: `${entity};ep`, status: u.state ?? 'connected', disconnectionMethod: u.method, leftWhileActive: u.left ?? false },
      },
    };
  }
  return out;
}

const ROSTER3 = () => roster({ [ALICE]: { name: 'Alice' }, [BOB]: { name: 'Bob' }, [CAROL]: { name: 'Carol' } });

function base(type: CpmSession['type'], legs: Leg[], extra: Partial<CpmSession> = {}): ByeSession {
  return {
    id: 'S',
    servedUser: ALICE,
    type,
    conversationId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    contributionId: 'abcdef12-3456-7890-abcd-ef0123456789',
    groupSessionIdentity: type === 'GROUP' ? GROUP : undefined,
    groupType: type === 'GROUP' ? 'Closed' : undefined,
    legs,
    interworked: false,
    usesSessionHistoryFolder: true,
    mode: 'ACTIVE',
    interceptEnabled: false,
    participants: type === 'GROUP' ? ROSTER3() : { version: 0, confActive: true, users: {}, source: 'NONE' },
    isComposingFrom: [],
    isComposingSentByServedClients: false,
    ...extra,
  };
}

export const G1 = (extra: Partial<ByeSession> = {}): ByeSession =>
  base('GROUP', [leg('cf', 'CF'), leg('c1', 'CLIENT')], extra);

/** G3 needs `G3_POLICY` (directDeliveryToAllClients=true). */
export const G3 = (extra: Partial<ByeSession> = {}): ByeSession =>
  base('GROUP', [leg('cf', 'CF'), leg('c1', 'CLIENT'), leg('c2', 'CLIENT'), leg('c3', 'CLIENT')], extra);
export const G3_POLICY: PolicyOverrides = { directDeliveryToAllClients: true };

export const O1 = (extra: Partial<ByeSession> = {}): ByeSession =>
  base('ONE_TO_ONE', [leg('c1', 'CLIENT'), leg('rpf', 'REMOTE_PF')], extra);

export const I1 = (extra: Partial<ByeSession> = {}): ByeSession =>
  base('ONE_TO_ONE', [leg('c1', 'CLIENT', { localSdp: CLIENT_SDP }), leg('w1', 'IWF', { iwfSide: 'REMOTE' })], { interworked: true, ...extra });

export const I2 = (extra: Partial<ByeSession> = {}): ByeSession =>
  base(
    'ONE_TO_ONE',
    [
      leg('c1', 'CLIENT', { localSdp: CLIENT_SDP, mediaStreams: [{ mLine: 1, protocol: 'MSRP' }, { mLine: 2, protocol: 'MSRP' }] }),
      leg('w1', 'IWF', { iwfSide: 'REMOTE', mediaStreams: [{ mLine: 1, protocol: 'MSRP' }] }),
      leg('w2', 'IWF', { iwfSide: 'REMOTE', mediaStreams: [{ mLine: 2, protocol: 'MSRP' }] }),
    ],
    { interworked: true, ...extra },
  );

export const S1 = (extra: Partial<ByeSession> = {}): ByeSession =>
  base('ONE_TO_ONE', [leg('ws', 'IWF', { iwfSide: 'SERVED' }), leg('rpf', 'REMOTE_PF')], extra);

/** G1 after BYE-4-R: no client leg, cf kept, the PF's own subscription active. */
export const R1 = (interceptEnabled: boolean, extra: Partial<ByeSession> = {}): ByeSession =>
  base('GROUP', [leg('cf', 'CF'), leg('c1', 'CLIENT', { state: 'TERMINATED' })], {
    mode: 'REMAIN_DISCONNECTED',
    interceptEnabled,
    confSubscription: { state: 'ACTIVE' },
    participants: { ...ROSTER3(), source: 'OWN_SUBSCRIPTION' },
    ...extra,
  });

type PrefFlag = 'aos' | 'as' | 'ad';
export function P(...flags: PrefFlag[]): UserPrefs {
  return {
    allowOfflineStorage: flags.includes('aos'),
    allowStore: flags.includes('as'),
    allowDefer: flags.includes('ad'),
    hasCpmOfflineStorageRule: flags.includes('aos'),
    source: 'XDMS',
  };
}

/** An in-dialog BYE message; `r` is the Reason header value, '-' for none, or several lines. */
export function BYE(r: string | string[], callId = 'c1leg-77a1@192.0.2.10'): SipMessageView {
  const headers: Record<string, string[]> = {
    via: ['SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKe8bye1'],
    'max-forwards': ['70'],
    from: ['<sip:+15551230001@ims.alpha.example>;tag=a1c1'],
    to: ['<sip:grp-7f3a91@cpm-cf.alpha.example>;tag=pfc1'],
    'call-id': [callId],
    cseq: ['5 BYE'],
    'content-length': ['0'],
  };
  const lines = Array.isArray(r) ? r : r === '-' ? [] : [r];
  if (lines.length > 0) headers.reason = lines;
  return { method: 'BYE', uri: 'sip:b2b-leg@cpm-pf.alpha.example', headers, body: '' };
}

export const byeOn = (legId: string, r: string | string[], txn = `bye-${legId}`): ByeReceived => ({ kind: 'BYE_RECEIVED', legId, message: BYE(r), txn });
export const answer = (legId: string, status: number, method = 'BYE'): ResponseReceived => ({ kind: 'RESPONSE_RECEIVED', legId, method, status });
export const fire = (name: string): ByeInput => ({ kind: 'TIMER_FIRED', name });

function cpimBody(extra: Partial<InterceptedItem>): string {
  const dn = extra.dispositionNotification ?? ['positive-delivery', 'negative-delivery'];
  return [
    `From: <${BOB}>`,
    `To: <${GROUP}>`,
    'NS: imdn <urn:ietf:params:imdn>',
    `imdn.Message-ID: ${extra.messageId ?? 'm5'}`,
    'DateTime: 2015-11-10T11:00:00.000Z',
    ...(dn.length > 0 ? [`imdn.Disposition-Notification: ${dn.join(', ')}`] : []),
    ...(extra.imdnRecordRoute ?? []).map((r) => `imdn.IMDN-Record-Route: ${r}`),
    '',
    'Content-Type: text/plain;charset=UTF-8',
    '',
    'hello',
  ].join('\r\n');
}

export function chatItem(extra: Partial<InterceptedItem> = {}): InterceptedItem {
  return {
    kind: 'CHAT',
    contentType: 'message/cpim',
    body: cpimBody(extra),
    headers: {},
    messageId: 'm5',
    from: `<${BOB}>`,
    to: `<${GROUP}>`,
    dispositionNotification: ['positive-delivery', 'negative-delivery'],
    imdnRecordRoute: [],
    dateTime: '2015-11-10T11:00:00.000Z',
    ...extra,
  };
}

export const msrpOn = (legId: string, item: InterceptedItem, chunk = 'tx-1'): MsrpSendReceived => ({ kind: 'MSRP_SEND_RECEIVED', legId, chunk, item });

export interface Step {
  input: ByeInput;
  /** ms after T0 */
  at?: number;
  random?: number;
}

/** Run steps in order; returns each step's outcome and the final session. */
export function run(session: ByeSession, prefs: UserPrefs, policy: Policy, steps: Step[]): { outs: ByeOutcome[]; session: ByeSession | undefined } {
  const outs: ByeOutcome[] = [];
  let s: ByeSession | undefined = session;
  for (const step of steps) {
    const out = handleBye(s, step.input, prefs, policy, T0 + (step.at ?? 0), step.random ?? 0);
    outs.push(out);
    s = out.session;
  }
  return { outs, session: s };
}

export const pol = (o: PolicyOverrides = {}): Policy => withPolicy(o);

/** A compact, comparable form of an effect: kind plus the field that names its target. */
export function sig(e: Effect): string {
  switch (e.kind) {
    case 'SEND_REQ':
      return `SEND_REQ(${e.leg},${e.method})`;
    case 'SEND_RESP':
      return `SEND_RESP(${e.txn},${e.code})`;
    case 'RELEASE_MEDIA':
      return `RELEASE_MEDIA(${e.legs === 'ALL' ? 'ALL' : e.legs.join('+')})`;
    case 'STOP_MEDIA':
      return `STOP_MEDIA(${e.legs.join('+')})`;
    case 'FWD_REQ':
    case 'FWD_RESP':
      return `${e.kind}(${e.toLeg})`;
    case 'SET_MODE':
      return `SET_MODE(${e.mode})`;
    case 'SUBSCRIBE_CONF':
      return `SUBSCRIBE_CONF(${e.sessionId},${e.expires})`;
    case 'START_TIMER':
      return `START_TIMER(${e.timer.name},${e.ms})`;
    case 'CANCEL_TIMER':
      return `CANCEL_TIMER(${e.timer.name})`;
    case 'RECORD_SESSION':
      return `RECORD_SESSION(${e.sessionId})`;
    case 'STORE_GSO':
      return `STORE_GSO(${folderLabel(e.folder)})`;
    case 'RECORD_OBJECT':
      return `RECORD_OBJECT(${folderLabel(e.folder)},${e.object.kind})`;
    case 'DEFER':
      return `DEFER(${e.item.kind},${e.item.messageId ?? ''})`;
    case 'MSRP_RESP':
      return `MSRP_RESP(${e.chunk},${e.code})`;
    case 'CACHE_PUT':
      return `CACHE_PUT(${e.cache},${e.key.servedUser}|${e.key.peer}|${e.key.messageId},${e.type},${e.status})`;
    default:
      return e.kind;
  }
}

export const sigs = (effects: Effect[]): string[] => effects.map(sig);
export const branches = (o: { decisions: { branch: string }[] }): string[] => o.decisions.map((d) => d.branch);
