import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attribute, childElements, firstChild, isNameChar, isNameStart, parseXml, textContent } from './xml';

test('XML: namespaces resolve per prefix and default namespace; local names are split', () => {
  const r = parseXml(
    '<?xml version="1.0"?><a:root xmlns:a="urn:a" xmlns="urn:d"><child x="1" a:y="2"/><a:k>t</a:k></a:root>',
  );
  assert.ok(r.ok);
  assert.equal(r.value.localName, 'root');
  assert.equal(r.value.namespace, 'urn:a');
  const [child, k] = childElements(r.value);
  assert.equal(child.namespace, 'urn:d');
  assert.equal(attribute(child, 'x'), '1');
  assert.equal(child.attributes.find((a) => a.localName === 'y')?.namespace, 'urn:a');
  assert.equal(k.namespace, 'urn:a');
  assert.equal(textContent(k), 't');
});

test('XML: the five predefined entities, numeric references and CDATA are decoded', () => {
  const r = parseXml('<r q="&quot;&apos;">&lt;&gt;&amp;&#65;&#x42;<![CDATA[<&>]]></r>');
  assert.ok(r.ok);
  assert.equal(textContent(r.value), '<>&AB<&>');
  assert.equal(attribute(r.value, 'q'), `"'`);
});

test('XML: DOCTYPE is refused, so no entity can be defined', () => {
  const r = parseXml('<!DOCTYPE r [<!ENTITY x "boom">]><r>&x;</r>');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'DOCTYPE_REFUSED');
});

test('XML: unknown entity, unbound prefix, mismatched tags, size and depth are typed errors', () => {
  const cases: [string, string][] = [
    ['<r>&nbsp;</r>', 'BAD_ENTITY'],
    ['<r>&#0;</r>', 'BAD_ENTITY'],
    ['<p:r/>', 'UNBOUND_PREFIX'],
    ['<r><a></b></r>', 'MALFORMED'],
    ['<r>', 'MALFORMED'],
    ['<r/><r/>', 'MALFORMED'],
    ['', 'MALFORMED'],
    ['<r a=1/>', 'MALFORMED'],
  ];
  for (const [doc, code] of cases) {
    const r = parseXml(doc);
    assert.equal(r.ok ? 'ok' : r.error.code, code, doc);
  }
  const big = parseXml(`<r>${'x'.repeat(70000)}</r>`);
  assert.equal(!big.ok && big.error.code, 'TOO_LARGE');
  const deep = parseXml('<a>'.repeat(100) + '</a>'.repeat(100));
  assert.equal(!deep.ok && deep.error.code, 'TOO_DEEP');
  assert.ok(parseXml('<a>'.repeat(10) + '</a>'.repeat(10)).ok);
});

test('XML: comments and processing instructions are skipped; firstChild finds by local name', () => {
  const r = parseXml('<!-- c --><r><!-- x --><?pi y?><n:v xmlns:n="urn:n">1</n:v></r>');
  assert.ok(r.ok);
  assert.equal(textContent(firstChild(r.value, 'v')!), '1');
});

test('XML: name characters by code unit are the character classes the parser was written with, for every UTF-16 code unit', () => {
  // the definition, as regular expressions over one code unit (a lone surrogate included)
  const nameStart = /[A-Za-z_:\u00C0-\uFFFF]/;
  const nameChar = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
  for (let c = 0; c <= 0xffff; c++) {
    const ch = String.fromCharCode(c);
    if (isNameStart(c) !== nameStart.test(ch)) assert.fail(`isNameStart(0x${c.toString(16)})`);
    if (isNameChar(c) !== nameChar.test(ch)) assert.fail(`isNameChar(0x${c.toString(16)})`);
  }
  const r = parseXml('<\u00e9l\u00b7-1 a.b="x"><_:x xmlns:_="urn:u"/></\u00e9l\u00b7-1>');
  assert.ok(r.ok);
  assert.equal(r.value.name, '\u00e9l\u00b7-1');
  assert.equal(parseXml('<1a/>').ok, false, 'a digit does not start a name');
  assert.equal(parseXml('<a\u00b7/>').ok, true, 'U+00B7 continues a name');
  assert.equal(parseXml('<\u00b7a/>').ok, false, 'U+00B7 does not start one');
});
