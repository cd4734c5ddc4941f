// Session history from the media plane (SPEC §11.7 "Record CPM Conversation History", D-168):
// while the PF relays an anchored session's messages, each chat message the served user sent or
// received is recorded in the session-history folder when the user allows the network to store
// their conversation history (<allow-store>). The shell calls this for every whole chat message
// the MSRP relay passes on; what the PF intercepts for a disconnected user is recorded by
// BYE-4-R-ii instead, so nothing is stored twice.
import { decide } from '../decision';
import type { InterceptedItem } from '../bye/inputs';
import type { StoredObjectSpec } from '../effects';
import type { CpmSession, UserPrefs } from '../model';
import { sessionHistoryFolder } from '../participants/group-state-object';
import type { EngineResult } from '../result';

export interface RecordChatInput {
  session: Pick<CpmSession, 'id' | 'servedUser' | 'conversationId' | 'contributionId'>;
  prefs: Pick<UserPrefs, 'allowStore'>;
  item: InterceptedItem;
  /** sent: from one of the served user's devices; received: from the network side */
  direction: 'sent' | 'received';
  now: number;
}

export function recordChat(input: RecordChatInput): EngineResult {
  const { session: s, prefs, item, direction } = input;
  const base = { procedure: 'HIST' as const, servedUser: s.servedUser, sessionId: s.id, messageId: item.messageId };
  const inputs = { allowStore: prefs.allowStore, direction, kind: item.kind, contentType: item.contentType };
  if (item.kind !== 'CHAT') {
    // notifications have their own stores (IMDN-TX \Seen, IMDN-RX), isComposing is transient
    return { effects: [], decisions: [] };
  }
  if (!prefs.allowStore) {
    return {
      effects: [],
      decisions: [decide({ ...base, branch: 'HIST-1x', outcome: 'NOT_STORED', summary: `The ${direction} chat message is not recorded: ${s.servedUser} does not allow the network to store conversation history.`, inputs })],
    };
  }
  const headers: Record<string, string> = {};
  if (item.from !== undefined) headers.From = item.from;
  if (item.to !== undefined) headers.To = item.to;
  headers.Date = item.dateTime ?? new Date(input.now).toISOString();
  headers['Conversation-ID'] = s.conversationId;
  headers['Contribution-ID'] = s.contributionId;
  if (item.messageId !== undefined) headers['IMDN-Message-ID'] = item.messageId;
  headers['Message-Direction'] = direction;
  headers['Content-Type'] = item.contentType;
  const object: StoredObjectSpec = { kind: 'MESSAGE', contentType: item.contentType, headers, body: item.body };
  if (item.messageId !== undefined) object.imdnMessageId = item.messageId;
  const folder = sessionHistoryFolder(s);
  const path = `${s.conversationId}/${s.contributionId}`;
  return {
    effects: [{ kind: 'RECORD_OBJECT', folder, object }],
    decisions: [decide({ ...base, branch: 'HIST-1', outcome: 'STORED', summary: `The ${direction} chat message ${item.messageId ?? '(no Message-ID)'} is recorded in the session history folder ${path}.`, inputs: { ...inputs, folder: path } })],
  };
}
