// conference-info (RFC 4575, SPEC §12.5) parsed into the facts the roster needs: document
// state and version, conference activity, users and endpoints. XML goes through the safe parser.
import { attribute, childElements, parseXml, textContent, type XmlElement, type XmlErrorCode } from './xml';

export const CONFERENCE_INFO_NS = 'urn:ietf:params:xml:ns:conference-info';
export const CONFERENCE_INFO_TYPE = 'application/conference-info+xml';

export type ElementState = 'full' | 'partial' | 'deleted';

export interface ConfEndpoint {
  entity: string;
  state: ElementState;
  status?: string;
  disconnectionMethod?: string;
}

export interface ConfUser {
  entity: string;
  state: ElementState;
  displayText?: string;
  endpoints: ConfEndpoint[];
}

export interface ConferenceInfo {
  entity: string;
  state: ElementState;
  version: number;
  subject?: string;
  /** `<conference-state><active>`; undefined when the document does not say */
  active?: boolean;
  userCount?: number;
  /** undefined when the document has no `<users>` element (nothing to merge) */
  users?: ConfUser[];
}

export type ConferenceInfoErrorCode =
  | `XML_${XmlErrorCode}`
  | 'NOT_CONFERENCE_INFO'
  | 'MISSING_ENTITY'
  | 'BAD_STATE'
  | 'BAD_VERSION';

export type ConferenceInfoResult =
  | { ok: true; value: ConferenceInfo }
  | { ok: false; error: { code: ConferenceInfoErrorCode; message: string } };

export function parseConferenceInfo(body: string): ConferenceInfoResult {
  const xml = parseXml(body);
  if (!xml.ok) return fail(`XML_${xml.error.code}`, xml.error.message);
  const root = xml.value;
  if (root.localName !== 'conference-info' || (root.namespace !== undefined && root.namespace !== CONFERENCE_INFO_NS)) {
    return fail('NOT_CONFERENCE_INFO', `root element is <${root.name.slice(0, 40)}>, not conference-info in ${CONFERENCE_INFO_NS}`);
  }
  const entity = attribute(root, 'entity')?.trim();
  if (!entity) return fail('MISSING_ENTITY', 'conference-info has no entity attribute');
  const state = elementState(attribute(root, 'state'));
  if (state === undefined) return fail('BAD_STATE', `conference-info state "${String(attribute(root, 'state')).slice(0, 20)}" is not full, partial or deleted`);
  const versionText = attribute(root, 'version')?.trim() ?? '';
  // RFC 4575 makes version an unsignedInt and mandatory: without it ordering is impossible
  if (!/^\d{1,10}$/.test(versionText) || Number(versionText) > 0xffffffff) {
    return fail('BAD_VERSION', `conference-info version "${versionText.slice(0, 20)}" is not an unsigned integer`);
  }
  const info: ConferenceInfo = { entity, state, version: Number(versionText) };

  const desc = own(root, 'conference-description');
  const subject = desc && own(desc, 'subject');
  if (subject) info.subject = textContent(subject).trim();

  const confState = own(root, 'conference-state');
  if (confState) {
    const active = own(confState, 'active');
    if (active) {
      const b = xsBoolean(textContent(active));
      if (b !== undefined) info.active = b;
    }
    const count = own(confState, 'user-count');
    if (count && /^\d{1,9}$/.test(textContent(count).trim())) info.userCount = Number(textContent(count).trim());
  }

  const users = own(root, 'users');
  if (users) {
    info.users = [];
    for (const u of ownAll(users, 'user')) {
      const uEntity = attribute(u, 'entity')?.trim();
      if (!uEntity) continue; // a user without entity cannot be merged or reported
      const user: ConfUser = { entity: uEntity, state: elementState(attribute(u, 'state')) ?? 'full', endpoints: [] };
      const dt = own(u, 'display-text');
      if (dt) user.displayText = textContent(dt).trim();
      for (const e of ownAll(u, 'endpoint')) {
        const eEntity = attribute(e, 'entity')?.trim();
        if (!eEntity) continue;
        const ep: ConfEndpoint = { entity: eEntity, state: elementState(attribute(e, 'state')) ?? 'full' };
        const status = own(e, 'status');
        if (status) ep.status = textContent(status).trim().toLowerCase();
        const dm = own(e, 'disconnection-method');
        if (dm) ep.disconnectionMethod = textContent(dm).trim().toLowerCase();
        user.endpoints.push(ep);
      }
      info.users.push(user);
    }
  }
  return { ok: true, value: info };
}

// Extension elements from other namespaces may share a local name; only ours count.
function ownAll(el: XmlElement, localName: string): XmlElement[] {
  return childElements(el, localName).filter((c) => c.namespace === undefined || c.namespace === CONFERENCE_INFO_NS);
}

function own(el: XmlElement, localName: string): XmlElement | undefined {
  return ownAll(el, localName)[0];
}

function elementState(v: string | undefined): ElementState | undefined {
  if (v === undefined) return 'full'; // RFC 4575 default
  const t = v.trim();
  return t === 'full' || t === 'partial' || t === 'deleted' ? t : undefined;
}

function xsBoolean(v: string): boolean | undefined {
  const t = v.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

function fail(code: ConferenceInfoErrorCode, message: string): ConferenceInfoResult {
  return { ok: false, error: { code, message } };
}
