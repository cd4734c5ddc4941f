// The served user's CPM preference document from the XDMS (SPEC §11.6, EXAMPLES E20): a
// common-policy ruleset (RFC 4745) with OMA extensions. Only the common-policy namespace is
// certain, so rules are read by local name; CPM rules are OR-combined (RFC 4745 permission
// combining).
import type { UserPrefs } from '../model';
import { attribute, childElements, firstChild, parseXml, textContent, type XmlElement } from '../parse/xml';

export type CpmPrefValues = Omit<UserPrefs, 'source'>;

export const NO_PREFS: CpmPrefValues = { allowOfflineStorage: false, allowStore: false, allowDefer: false, hasCpmOfflineStorageRule: false };

export type XdmsDocumentResult =
  | { ok: true; value: CpmPrefValues; rules: { id?: string; cpm: boolean }[] }
  | { ok: false; error: { code: 'BAD_XML' | 'NOT_RULESET'; message: string } };

function isCpmRule(rule: XmlElement): boolean {
  const conditions = firstChild(rule, 'conditions');
  if (!conditions) return false;
  return childElements(conditions, 'service-list').some((list) =>
    childElements(list, 'service').some((s) => (attribute(s, 'enabler') ?? '').trim().toUpperCase() === 'CPM'),
  );
}

function boolAction(actions: XmlElement | undefined, name: string): boolean {
  if (!actions) return false;
  return childElements(actions, name).some((e) => {
    const t = textContent(e).trim().toLowerCase();
    return t === 'true' || t === '1';
  });
}

/** Evaluate the document for the CPM service. Never throws. */
export function parseXdmsPrefs(xml: string): XdmsDocumentResult {
  const doc = parseXml(xml);
  if (!doc.ok) return { ok: false, error: { code: 'BAD_XML', message: `preference document: ${doc.error.message}` } };
  if (doc.value.localName !== 'ruleset') {
    return { ok: false, error: { code: 'NOT_RULESET', message: `the preference document root is <${doc.value.name}>, not a common-policy <ruleset>` } };
  }
  const value: CpmPrefValues = { ...NO_PREFS };
  const rules: { id?: string; cpm: boolean }[] = [];
  for (const rule of childElements(doc.value, 'rule')) {
    const cpm = isCpmRule(rule);
    rules.push({ id: attribute(rule, 'id'), cpm });
    if (!cpm) continue;
    const actions = firstChild(rule, 'actions');
    const aos = boolAction(actions, 'allow-offline-storage');
    value.allowOfflineStorage ||= aos;
    value.allowStore ||= boolAction(actions, 'allow-store');
    value.allowDefer ||= boolAction(actions, 'allow-defer');
    value.hasCpmOfflineStorageRule ||= aos;
  }
  return { ok: true, value, rules };
}
