// Group State Object writer (SPEC §6.3 snapshot rule, §12.7 body, §11.7 object headers).
// The storing entity passes in the time and the new IMDN-Message-ID so this stays deterministic.
import type { FolderRef, StoredObjectSpec } from '../effects';
import type { CpmSession, ParticipantRoster, RosterUser } from '../model';

export const GSO_CONTENT_TYPE = 'Application/group-state-object+xml';

export interface GsoParticipant {
  entity: string;
  displayText?: string;
}

/**
 * AMB-19: users not deleted, minus users all of whose endpoints left on purpose while the
 * conference was active. A user with no endpoints at all cannot have left, so stays in.
 */
export function gsoParticipants(roster: ParticipantRoster): GsoParticipant[] {
  const out: GsoParticipant[] = [];
  for (const [entity, user] of Object.entries(roster.users)) {
    if (user.state === 'deleted') continue;
    if (allEndpointsLeft(user)) continue;
    out.push(user.displayText === undefined ? { entity } : { entity, displayText: user.displayText });
  }
  return out;
}

function allEndpointsLeft(user: RosterUser): boolean {
  const endpoints = Object.values(user.endpoints);
  return endpoints.length > 0 && endpoints.every((e) => e.leftWhileActive);
}

export function groupStateObject(input: {
  session: Pick<
    CpmSession,
    'groupSessionIdentity' | 'groupType' | 'participants' | 'conversationId' | 'contributionId' | 'servedUser'
  >;
  now: number;
  newMessageId: string;
}): StoredObjectSpec {
  const { session, now, newMessageId } = input;
  const focus = session.participants.conferenceEntity ?? session.groupSessionIdentity ?? '';
  const groupType = session.groupType ?? 'Closed'; // AMB-14
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<groupstate timestamp="${rfc3339(now)}" lastfocussessionid="${xmlAttr(focus)}" group-type="${groupType}">`,
    ...gsoParticipants(session.participants).map(
      (p) =>
        `  <participant${p.displayText === undefined ? '' : ` name="${xmlAttr(p.displayText)}"`} comm-addr="${xmlAttr(p.entity)}"/>`,
    ),
    '</groupstate>',
  ];
  const headers: Record<string, string> = {
    From: `<${session.servedUser}>`,
    To: `<${session.groupSessionIdentity ?? focus}>`,
    Date: rfc5322(now),
  };
  if (session.participants.subject !== undefined) headers.Subject = oneLine(session.participants.subject);
  Object.assign(headers, {
    'MIME-Version': '1.0',
    'Content-Type': GSO_CONTENT_TYPE,
    'Content-Transfer-Encoding': '8bit',
    'Conversation-ID': session.conversationId,
    'Contribution-ID': session.contributionId,
    'IMDN-Message-ID': newMessageId,
    'Message-Direction': 'sent',
  });
  return {
    kind: 'GSO',
    contentType: GSO_CONTENT_TYPE,
    headers,
    body: lines.join('\r\n') + '\r\n',
    imdnMessageId: newMessageId,
  };
}

/** The CPM session-history folder: conversation folder / session folder (§11.7). */
export function sessionHistoryFolder(session: Pick<CpmSession, 'conversationId' | 'contributionId'>): FolderRef {
  return { kind: 'SESSION_HISTORY', conversationId: session.conversationId, contributionId: session.contributionId };
}

function xmlAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

// A header value must not break the object's header block.
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function rfc3339(now: number): string {
  const d = new Date(now);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    // milliseconds only when present, so two snapshots in the same second still order (PIN-N5c)
    (d.getUTCMilliseconds() === 0 ? '' : `.${pad(d.getUTCMilliseconds(), 3)}`) +
    '+00:00'
  );
}

function rfc5322(now: number): string {
  const d = new Date(now);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}
