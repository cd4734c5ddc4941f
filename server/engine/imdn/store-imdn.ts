// IMDN-DLV-4 (SPEC §8): whether and where an IMDN delivered to the served user is stored. Storage
// happens only once a client has accepted the IMDN (4a/4b); the folder is the one holding the
// original the served user sent, else its conversation folder, else nothing (4d, AMB-20).
import { decide, type Decision } from '../decision';
import type { Effect, Headers } from '../effects';
import type { UserPrefs } from '../model';
import { cpimHeader, imdnHeader } from '../parse/cpim';
import type { Policy } from '../policy';
import type { EngineResult } from '../result';
import type { ImdnPart } from './receive';

export interface OriginalLocator {
  /** folder holding the original (by MessageIndex storeRef, else by IMDN-Message-ID = message-id) */
  folderOfOriginal(messageId: string): string | undefined;
  /** the conversation-history folder of a Conversation-ID, if it exists */
  conversationFolder(conversationId: string): string | undefined;
}

export function storeImdnWanted(prefs: UserPrefs, policy: Policy): { store: boolean; inputs: Record<string, unknown> } {
  const xdms = policy.checkXdmsForImdnStorage && prefs.hasCpmOfflineStorageRule;
  return {
    store: xdms || policy.recordingEnabled,
    inputs: {
      'policy.checkXdmsForImdnStorage': policy.checkXdmsForImdnStorage,
      'prefs.hasCpmOfflineStorageRule': prefs.hasCpmOfflineStorageRule,
      'prefs.source': prefs.source,
      'policy.recordingEnabled': policy.recordingEnabled,
    },
  };
}

function first(h: Headers, name: string): string | undefined {
  const key = Object.keys(h).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const v = h[key];
  return Array.isArray(v) ? v[0] : v;
}

/** RFC 5322 date as the Message Store headers use it (E19). */
export function rfc5322Date(now: number): string {
  return new Date(now).toUTCString().replace(/GMT$/, '+0000');
}

/** IMDN-DLV-4a/4d/4e: RECORD_OBJECT for each accepted part (the caller has checked storeImdn). */
export function recordDeliveredImdns(args: {
  servedUser: string;
  parts: { part: ImdnPart; sipHeaders: Headers }[];
  locator: OriginalLocator;
  now: number;
}): EngineResult {
  const effects: Effect[] = [];
  const decisions: Decision[] = [];
  for (const { part, sipHeaders } of args.parts) {
    const messageId = part.imdn?.messageId;
    const conversationId = first(sipHeaders, 'Conversation-ID');
    const originalFolder = messageId ? args.locator.folderOfOriginal(messageId) : undefined;
    const convFolder = !originalFolder && conversationId ? args.locator.conversationFolder(conversationId) : undefined;
    const folder = originalFolder ?? convFolder;
    const inputs = { messageId, conversationId, originalFolder: originalFolder ?? 'not found', conversationFolder: convFolder ?? (originalFolder ? 'not needed' : 'not found') };
    if (!folder) {
      decisions.push(
        decide({
          branch: 'IMDN-DLV-4d',
          procedure: 'IMDN-DLV',
          outcome: 'SKIP_STORAGE',
          summary: `Warning: neither the original message ${messageId ?? '(unknown)'} nor a conversation folder was found, so the delivered notification is not stored.`,
          inputs,
          servedUser: args.servedUser,
          messageId,
        }),
      );
      continue;
    }
    const cpim = part.cpim;
    const headers: Headers = {
      From: (cpim && cpimHeader(cpim, 'From')) ?? first(sipHeaders, 'From') ?? '',
      To: (cpim && cpimHeader(cpim, 'To')) ?? args.servedUser,
      Date: rfc5322Date(args.now),
      ...(conversationId ? { 'Conversation-ID': conversationId } : {}),
      ...(first(sipHeaders, 'Contribution-ID') ? { 'Contribution-ID': first(sipHeaders, 'Contribution-ID') as string } : {}),
      ...(cpim && imdnHeader(cpim, 'Message-ID') ? { 'IMDN-Message-ID': imdnHeader(cpim, 'Message-ID') as string } : {}),
      'Message-Direction': 'received',
      ...(first(sipHeaders, 'P-Asserted-Service') ? { 'P-Asserted-Service': first(sipHeaders, 'P-Asserted-Service') as string } : {}),
      'Content-Type': 'Message/CPIM',
    };
    effects.push({
      kind: 'RECORD_OBJECT',
      folder: { kind: 'STORED', id: folder },
      object: { kind: 'IMDN', contentType: 'Message/CPIM', headers, body: part.raw, imdnMessageId: cpim ? imdnHeader(cpim, 'Message-ID') : undefined },
    });
    decisions.push(
      decide({
        branch: originalFolder ? 'IMDN-DLV-4a' : 'IMDN-DLV-4d',
        procedure: 'IMDN-DLV',
        outcome: 'STORE',
        summary: originalFolder
          ? `A client accepted the ${part.imdn?.type ?? ''} notification for message ${messageId}; it is stored next to the original in ${folder}.`
          : `The original message ${messageId} is not in the store; the accepted notification is stored in the conversation folder ${folder}.`,
        inputs,
        servedUser: args.servedUser,
        messageId,
        disposition: part.imdn?.type,
      }),
    );
  }
  if (args.parts.length > 1 && effects.length > 0) {
    decisions.push(
      decide({
        branch: 'IMDN-DLV-4e',
        procedure: 'IMDN-DLV',
        outcome: 'STORE',
        summary: `The aggregated delivery is stored as ${effects.length} separate notification objects.`,
        inputs: { parts: args.parts.length, stored: effects.length },
        servedUser: args.servedUser,
      }),
    );
  }
  return { effects, decisions };
}
