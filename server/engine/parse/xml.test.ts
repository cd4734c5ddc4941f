import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attribute, childElements, firstChild, parseXml, textContent } from './xml';

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
