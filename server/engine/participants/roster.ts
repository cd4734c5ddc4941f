// Applying conference-info documents to the participant roster (SPEC §6.2 PIN-N2…N4, RFC 4575
// §4.6 partial state) with the activity tracking the Group State Object snapshot relies on (AMB-19).
import type { ParticipantRoster, RosterEndpoint, RosterUser } from '../model';
import type { ConfEndpoint, ConferenceInfo, ConfUser } from '../parse/conference-info';

export type RosterApplyOutcome = 'APPLIED' | 'STALE' | 'GAP';

export interface RosterApplyOptions {
  source: ParticipantRoster['source'];
  /** PIN-N5: disconnection-method values in a noresource NOTIFY never set leftWhileActive */
  ignoreDisconnectionMethods: boolean;
  /** the first NOTIFY of a new subscription: its full state is taken whatever its version */
  firstNotify: boolean;
  /**
   * The subscription that carried the document: versions are compared within it only (RFC 4575
   * §4.6). `OWN` for the PF's own subscription, the client's subscription leg for a relayed one.
   */
  subscription: string;
}

/** The subscription key of the PF's own conference subscription. */
export const OWN_SUBSCRIPTION = 'OWN';

export function emptyRoster(): ParticipantRoster {
  return { version: 0, confActive: true, users: {}, source: 'NONE' };
}

export function applyConferenceInfo(
  roster: ParticipantRoster,
  doc: ConferenceInfo,
  opts: RosterApplyOptions,
): { outcome: RosterApplyOutcome; roster: ParticipantRoster } {
  // versions count per subscription (RFC 4575 §4.6): a subscription's first document, or the
  // first after it was renewed, is taken whatever its version when it carries the full state
  const last = opts.firstNotify ? undefined : roster.versions?.[opts.subscription];
  if (doc.state === 'full' && last === undefined) {
    // accepted whatever its version
  } else if (doc.version <= (last ?? 0)) {
    return { outcome: 'STALE', roster };
  } else if (doc.state !== 'full' && doc.version > (last ?? 0) + 1) {
    return { outcome: 'GAP', roster };
  }

  const confActive = doc.active ?? roster.confActive;
  const mayFlag = confActive && !opts.ignoreDisconnectionMethods;
  const flagFor = (prev: boolean, ep: ConfEndpoint, method: string | undefined): boolean => {
    if (ep.status === 'connected') return false;
    if (mayFlag && ep.status === 'disconnected' && (method === 'departed' || method === 'booted')) return true;
    return prev;
  };

  let users: Record<string, RosterUser>;
  if (doc.state === 'full') {
    const previousFlags = flagsByEndpoint(roster);
    users = {};
    for (const u of doc.users ?? []) {
      users[u.entity] = replaceUser(u, previousFlags, flagFor);
    }
  } else {
    users = { ...roster.users };
    for (const u of doc.users ?? []) {
      const prev = users[u.entity];
      if (u.state === 'deleted') {
        users[u.entity] = { ...(prev ?? { endpoints: {} }), state: 'deleted' };
      } else if (u.state === 'full' || prev === undefined) {
        users[u.entity] = replaceUser(u, prev ? flagsOf(prev) : new Map(), flagFor, u.state);
      } else {
        users[u.entity] = mergeUser(prev, u, flagFor);
      }
    }
  }

  const next: ParticipantRoster = {
    ...roster,
    version: doc.version,
    versions: { ...roster.versions, [opts.subscription]: doc.version },
    confActive,
    users,
    source: opts.source,
    conferenceEntity: doc.entity,
  };
  if (doc.subject !== undefined) next.subject = doc.subject;
  return { outcome: 'APPLIED', roster: next };
}

type FlagFor = (prev: boolean, ep: ConfEndpoint, method: string | undefined) => boolean;

function replaceUser(u: ConfUser, previousFlags: Map<string, boolean>, flagFor: FlagFor, state: RosterUser['state'] = 'full'): RosterUser {
  const endpoints: Record<string, RosterEndpoint> = {};
  for (const ep of u.endpoints) {
    if (ep.state === 'deleted') continue;
    endpoints[ep.entity] = endpointFrom(ep, undefined, previousFlags.get(ep.entity) ?? false, flagFor);
  }
  return { ...(u.displayText === undefined ? {} : { displayText: u.displayText }), state, endpoints };
}

function mergeUser(prev: RosterUser, u: ConfUser, flagFor: FlagFor): RosterUser {
  const endpoints = { ...prev.endpoints };
  for (const ep of u.endpoints) {
    const old = endpoints[ep.entity];
    if (ep.state === 'deleted') {
      delete endpoints[ep.entity];
    } else {
      endpoints[ep.entity] = endpointFrom(ep, ep.state === 'partial' ? old : undefined, old?.leftWhileActive ?? false, flagFor);
    }
  }
  return {
    ...prev,
    ...(u.displayText === undefined ? {} : { displayText: u.displayText }),
    state: 'partial',
    endpoints,
  };
}

function endpointFrom(ep: ConfEndpoint, base: RosterEndpoint | undefined, prevFlag: boolean, flagFor: FlagFor): RosterEndpoint {
  const status = ep.status ?? base?.status ?? 'unknown';
  // a partial update that only repeats the status keeps the method it had
  const method = ep.disconnectionMethod ?? (ep.status === undefined || ep.status === base?.status ? base?.disconnectionMethod : undefined);
  // only what this document itself reports about the endpoint can change its flag
  const reportedMethod = ep.status === undefined ? undefined : method;
  const out: RosterEndpoint = { entity: ep.entity, status, leftWhileActive: flagFor(prevFlag, ep, reportedMethod) };
  if (method !== undefined) out.disconnectionMethod = method;
  return out;
}

function flagsOf(user: RosterUser): Map<string, boolean> {
  return new Map(Object.values(user.endpoints).map((e) => [e.entity, e.leftWhileActive]));
}

function flagsByEndpoint(roster: ParticipantRoster): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const u of Object.values(roster.users)) for (const e of Object.values(u.endpoints)) out.set(e.entity, e.leftWhileActive);
  return out;
}
