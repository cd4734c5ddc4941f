// A small, deliberately limited XML parser for the documents the engine reads (IMDN,
// conference-info, XDMS preferences). Untrusted input reaches it straight from the network, so it
// refuses DOCTYPE (no entity definitions, no external references), expands only the five
// predefined entities and numeric references, caps size and nesting depth, and never throws.

export interface XmlAttribute {
  /** qualified name as written, e.g. 'xmlns:cp' or 'enabler' */
  name: string;
  localName: string;
  prefix?: string;
  /** resolved namespace URI; unprefixed attributes have none (XML Namespaces §6.2) */
  namespace?: string;
  value: string;
}

export interface XmlElement {
  kind: 'element';
  name: string;
  localName: string;
  prefix?: string;
  namespace?: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
}

export interface XmlText {
  kind: 'text';
  text: string;
}

export type XmlNode = XmlElement | XmlText;

export type XmlErrorCode =
  | 'TOO_LARGE'
  | 'TOO_DEEP'
  | 'DOCTYPE_REFUSED'
  | 'BAD_ENTITY'
  | 'UNBOUND_PREFIX'
  | 'MALFORMED';

export interface XmlError {
  code: XmlErrorCode;
  message: string;
  /** character offset where the problem was found */
  at?: number;
}

export type XmlResult = { ok: true; value: XmlElement } | { ok: false; error: XmlError };

export interface XmlLimits {
  /** maximum document length in UTF-16 code units (default 64 KiB) */
  maxChars?: number;
  /** maximum element nesting (default 64) */
  maxDepth?: number;
}

export const XML_DEFAULT_MAX_CHARS = 64 * 1024;
export const XML_DEFAULT_MAX_DEPTH = 64;

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class XmlFailure {
  constructor(readonly error: XmlError) {}
}

function fail(code: XmlErrorCode, message: string, at?: number): never {
  // Internal control flow only: caught in parseXml and turned into a typed error.
  throw new XmlFailure({ code, message, at });
}

// Name characters by UTF-16 code unit, as the parser has always read them (a surrogate is a name
// character). Compared as numbers: a regular-expression literal is a new object each time it is
// evaluated, and one per character was most of what a document's parse allocated (D-340).
/** [A-Za-z_:] and U+00C0 upwards */
export function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0xc0;
}

/** a name start, [0-9.-] or U+00B7 */
export function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0xb7;
}

function isWs(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function validCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function decodeEntities(raw: string, offset: number): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const amp = raw.indexOf('&', i);
    if (amp < 0) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, amp);
    const semi = raw.indexOf(';', amp);
    if (semi < 0 || semi - amp > 12) fail('BAD_ENTITY', 'an "&" is not followed by a complete entity reference', offset + amp);
    const ref = raw.slice(amp + 1, semi);
    if (ref.startsWith('#')) {
      const hex = ref[1] === 'x';
      const digits = hex ? ref.slice(2) : ref.slice(1);
      const ok = hex ? /^[0-9A-Fa-f]{1,6}$/.test(digits) : /^[0-9]{1,7}$/.test(digits);
      const cp = ok ? parseInt(digits, hex ? 16 : 10) : NaN;
      if (!ok || !validCodePoint(cp)) fail('BAD_ENTITY', `"&${ref};" is not a valid character reference`, offset + amp);
      out += String.fromCodePoint(cp);
    } else {
      const v = PREDEFINED[ref];
      if (v === undefined) fail('BAD_ENTITY', `entity "&${ref};" is not one of the five predefined XML entities`, offset + amp);
      out += v;
    }
    i = semi + 1;
  }
  return out;
}

interface RawElement {
  name: string;
  rawAttrs: { name: string; value: string }[];
  children: XmlNode[];
  scope: Map<string, string>;
  at: number;
}

function splitName(name: string): { prefix?: string; localName: string } {
  const i = name.indexOf(':');
  if (i < 0) return { localName: name };
  return { prefix: name.slice(0, i), localName: name.slice(i + 1) };
}

function resolveElement(raw: RawElement): XmlElement {
  const { prefix, localName } = splitName(raw.name);
  const nsKey = prefix ?? '';
  const namespace = prefix === 'xml' ? XML_NS : raw.scope.get(nsKey);
  if (prefix !== undefined && namespace === undefined) fail('UNBOUND_PREFIX', `element prefix "${prefix}" is not declared`, raw.at);
  const attributes: XmlAttribute[] = raw.rawAttrs.map((a) => {
    const s = splitName(a.name);
    let ns: string | undefined;
    if (s.prefix === 'xmlns' || a.name === 'xmlns') ns = 'http://www.w3.org/2000/xmlns/';
    else if (s.prefix === 'xml') ns = XML_NS;
    else if (s.prefix !== undefined) {
      ns = raw.scope.get(s.prefix);
      if (ns === undefined) fail('UNBOUND_PREFIX', `attribute prefix "${s.prefix}" is not declared`, raw.at);
    }
    return { name: a.name, localName: s.localName, prefix: s.prefix, namespace: ns, value: a.value };
  });
  return { kind: 'element', name: raw.name, localName, prefix, namespace: namespace || undefined, attributes, children: raw.children };
}

/** Parse a whole XML document into its root element. Never throws. */
export function parseXml(input: string, limits: XmlLimits = {}): XmlResult {
  const maxChars = limits.maxChars ?? XML_DEFAULT_MAX_CHARS;
  const maxDepth = limits.maxDepth ?? XML_DEFAULT_MAX_DEPTH;
  if (typeof input !== 'string') return { ok: false, error: { code: 'MALFORMED', message: 'the document is not text' } };
  if (input.length > maxChars) {
    return { ok: false, error: { code: 'TOO_LARGE', message: `the document has ${input.length} characters, more than the limit of ${maxChars}` } };
  }
  try {
    return { ok: true, value: parseDocument(input, maxDepth) };
  } catch (e) {
    if (e instanceof XmlFailure) return { ok: false, error: e.error };
    // Anything else is a bug in this parser; still a typed error, never a crash of the caller.
    return { ok: false, error: { code: 'MALFORMED', message: `unexpected parser failure: ${String(e)}` } };
  }
}

function parseDocument(s: string, maxDepth: number): XmlElement {
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: RawElement[] = [];
  let root: XmlElement | undefined;

  const readName = (): string => {
    const start = i;
    if (i >= s.length || !isNameStart(s.charCodeAt(i))) fail('MALFORMED', 'a name was expected', i);
    i++;
    while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
    return s.slice(start, i);
  };
  const skipWs = () => {
    while (i < s.length && isWs(s[i])) i++;
  };
  const skipPast = (term: string, what: string) => {
    const end = s.indexOf(term, i);
    if (end < 0) fail('MALFORMED', `unterminated ${what}`, i);
    const body = s.slice(i, end);
    i = end + term.length;
    return body;
  };

  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const textEnd = lt < 0 ? s.length : lt;
    if (textEnd > i) {
      const raw = s.slice(i, textEnd);
      if (stack.length === 0) {
        if (!/^[ \t\r\n]*$/.test(raw)) fail('MALFORMED', 'text outside the root element', i);
      } else {
        if (raw.includes(']]>')) fail('MALFORMED', '"]]>" is not allowed in text', i);
        stack[stack.length - 1].children.push({ kind: 'text', text: decodeEntities(raw, i) });
      }
      i = textEnd;
      continue;
    }
    // s[i] === '<'
    if (s.startsWith('<!--', i)) {
      i += 4;
      skipPast('-->', 'comment');
    } else if (s.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) fail('MALFORMED', 'CDATA outside the root element', i);
      i += 9;
      const text = skipPast(']]>', 'CDATA section');
      stack[stack.length - 1].children.push({ kind: 'text', text });
    } else if (s.startsWith('<!', i)) {
      if (s.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') fail('DOCTYPE_REFUSED', 'DOCTYPE declarations are refused (no DTDs, no entity definitions)', i);
      fail('MALFORMED', 'unsupported markup declaration', i);
    } else if (s.startsWith('<?', i)) {
      i += 2;
      skipPast('?>', 'processing instruction');
    } else if (s.startsWith('</', i)) {
      const at = i;
      i += 2;
      const name = readName();
      skipWs();
      if (s[i] !== '>') fail('MALFORMED', `end tag </${name}> is not closed`, i);
      i++;
      const open = stack.pop();
      if (!open) fail('MALFORMED', `end tag </${name}> without a start tag`, at);
      if (open.name !== name) fail('MALFORMED', `end tag </${name}> does not match <${open.name}>`, at);
      closeElement(open);
    } else {
      const at = i;
      i++;
      const name = readName();
      if (root !== undefined && stack.length === 0) fail('MALFORMED', 'a second root element', at);
      if (stack.length >= maxDepth) fail('TOO_DEEP', `elements are nested deeper than ${maxDepth}`, at);
      const rawAttrs: { name: string; value: string }[] = [];
      let selfClosing = false;
      for (;;) {
        const hadWs = i < s.length && isWs(s[i]);
        skipWs();
        if (i >= s.length) fail('MALFORMED', `start tag <${name}> is not closed`, at);
        if (s[i] === '>') {
          i++;
          break;
        }
        if (s.startsWith('/>', i)) {
          i += 2;
          selfClosing = true;
          break;
        }
        if (!hadWs) fail('MALFORMED', `whitespace expected between attributes of <${name}>`, i);
        const an = readName();
        skipWs();
        if (s[i] !== '=') fail('MALFORMED', `attribute ${an} has no value`, i);
        i++;
        skipWs();
        const q = s[i];
        if (q !== '"' && q !== "'") fail('MALFORMED', `attribute ${an} value is not quoted`, i);
        i++;
        const end = s.indexOf(q, i);
        if (end < 0) fail('MALFORMED', `attribute ${an} value is not terminated`, i);
        const rawValue = s.slice(i, end);
        if (rawValue.includes('<')) fail('MALFORMED', `"<" in the value of attribute ${an}`, i);
        const value = decodeEntities(rawValue, i).replace(/[\t\n\r]/g, ' ');
        i = end + 1;
        if (rawAttrs.some((a) => a.name === an)) fail('MALFORMED', `attribute ${an} appears twice`, i);
        rawAttrs.push({ name: an, value });
      }
      const parentScope = stack.length > 0 ? stack[stack.length - 1].scope : new Map<string, string>();
      let scope = parentScope;
      for (const a of rawAttrs) {
        if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
          if (scope === parentScope) scope = new Map(parentScope);
          const p = a.name === 'xmlns' ? '' : a.name.slice(6);
          if (p !== '' && a.value === '') fail('MALFORMED', `prefix ${p} cannot be bound to an empty namespace`, at);
          scope.set(p, a.value);
        }
      }
      const el: RawElement = { name, rawAttrs, children: [], scope, at };
      if (selfClosing) {
        stack.push(el);
        closeElement(stack.pop() as RawElement);
      } else {
        stack.push(el);
      }
    }
  }
  if (stack.length > 0) fail('MALFORMED', `element <${stack[stack.length - 1].name}> is not closed`, s.length);
  if (!root) fail('MALFORMED', 'no root element', 0);
  return root;

  function closeElement(raw: RawElement) {
    const el = resolveElement(raw);
    if (stack.length === 0) root = el;
    else stack[stack.length - 1].children.push(el);
  }
}

/** Child elements, optionally only those with this local name (namespace ignored). */
export function childElements(el: XmlElement, localName?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.kind === 'element' && (localName === undefined || c.localName === localName)) out.push(c);
  }
  return out;
}

/** The first child element with this local name, or undefined. */
export function firstChild(el: XmlElement, localName: string): XmlElement | undefined {
  return childElements(el, localName)[0];
}

/** All text inside the element and its descendants, in document order. */
export function textContent(el: XmlElement): string {
  let out = '';
  for (const c of el.children) out += c.kind === 'text' ? c.text : textContent(c);
  return out;
}

/** An attribute value by local name (namespace ignored), or undefined. */
export function attribute(el: XmlElement, localName: string): string | undefined {
  return el.attributes.find((a) => a.localName === localName && a.prefix !== 'xmlns' && a.name !== 'xmlns')?.value;
}

/** Every descendant element (depth first, document order) with this local name. */
export function descendants(el: XmlElement, localName: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.kind !== 'element') continue;
      if (c.localName === localName) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/** Escape text for element content or a double-quoted attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
