import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCpimImdn, parseImdnBody, parseImdnXml, polarityOf } from './imdn';

// EXAMPLES E2 (CPIM part, LF line ends as printed there)
const E2 = `From: <sip:+15551230002@ims.beta.example;user=phone>
To: <sip:+15551230001@ims.alpha.example>
NS: imdn <urn:ietf:params:imdn>
imdn.Message-ID: Dn4Rb1Xq0
DateTime: 2015-11-10T10:15:01.200Z

Content-Type: message/imdn+xml
Content-Disposition: notification
Content-Length: 436

<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>Msg7k2Qa9</message-id>
  <datetime>2015-11-10T10:15:00.000Z</datetime>
  <recipient-uri>sip:+15551230002@ims.beta.example</recipient-uri>
  <original-recipient-uri>sip:+15551230002@ims.beta.example</original-recipient-uri>
  <delivery-notification>
    <status>
      <delivered/>
    </status>
  </delivery-notification>
</imdn>`;

const FORM_A = `<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn"
      xmlns:cpmimdn="urn:oma:xml:cpm:imdn-extensions:1.0">
  <message-id>Msg7k2Qa9</message-id>
  <datetime>2015-11-10T10:15:00.000Z</datetime>
  <recipient-uri>tel:+15551230002</recipient-uri>
  <cpmimdn:interworking-notification>
    <cpmimdn:status>
      <cpmimdn:legacy-sms/>
    </cpmimdn:status>
  </cpmimdn:interworking-notification>
</imdn>`;

const FORM_B = `<imdn xmlns="urn:ietf:params:xml:ns:imdn" xmlns:cpm="urn:oma:xml:cpm:imdn-extensions:1.0">
  <message-id>Msg7k2Qa9</message-id>
  <datetime>2015-11-10T10:15:00.000Z</datetime>
  <interworking-notification>
    <status><cpm:legacy-sms/></status>
  </interworking-notification>
</imdn>`;

test('IMDNP-1: CPIM + message/imdn+xml delivery notification', () => {
  const r = parseCpimImdn(E2);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  assert.equal(r.value.imdn.type, 'delivery');
  assert.equal(r.value.imdn.status, 'delivered');
  assert.equal(r.value.imdn.messageId, 'Msg7k2Qa9');
  assert.equal(r.value.imdn.datetime, '2015-11-10T10:15:00.000Z');
  assert.equal(r.value.imdn.recipientUri, 'sip:+15551230002@ims.beta.example');
  assert.equal(r.value.imdn.polarity, 'positive');
});

test('IMDNP-2: interworking notification, form (A)', () => {
  const r = parseImdnXml(FORM_A);
  assert.ok(r.ok);
  assert.equal(r.value.type, 'interworking');
  assert.equal(r.value.status, 'legacy-sms');
});

test('IMDNP-3: interworking notification, form (B)', () => {
  const r = parseImdnXml(FORM_B);
  assert.ok(r.ok);
  assert.equal(r.value.type, 'interworking');
  assert.equal(r.value.status, 'legacy-sms');
});

test('IMDNP-4: multipart/mixed with 3 message/cpim parts gives 3 IMDNs in order', () => {
  const part = (mid: string, el: string, st: string) =>
    `--b1\r\nContent-Type: message/cpim\r\n\r\nFrom: <sip:b@x.example>\r\nTo: <sip:a@y.example>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n${mid}\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>${mid}</message-id><${el}><status><${st}/></status></${el}></imdn>\r\n`;
  const body = part('m1', 'delivery-notification', 'delivered') + part('m2', 'delivery-notification', 'failed') + part('m1', 'display-notification', 'displayed') + '--b1--\r\n';
  const r = parseImdnBody('multipart/mixed; boundary="b1"', body);
  assert.ok(r.ok);
  assert.equal(r.value.aggregated, true);
  assert.deepEqual(
    r.value.parts.map((p) => (p.ok ? [p.imdn.messageId, p.imdn.type, p.imdn.status] : p.error.code)),
    [['m1', 'delivery', 'delivered'], ['m2', 'delivery', 'failed'], ['m1', 'display', 'displayed']],
  );
});

test('IMDNP-5: polarity positive for the six success statuses, negative otherwise', () => {
  for (const s of ['delivered', 'displayed', 'processed', 'stored', 'legacy-sms', 'legacy-mms']) assert.equal(polarityOf(s), 'positive', s);
  for (const s of ['failed', 'forbidden', 'error', 'bogus']) assert.equal(polarityOf(s), 'negative', s);
  const r = parseImdnXml('<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id><delivery-notification><status><bogus/></status></delivery-notification></imdn>');
  assert.ok(r.ok);
  assert.equal(r.value.status, 'bogus');
  assert.equal(r.value.polarity, 'negative');
});

test('IMDNP-1: invalid IMDN bodies give typed errors', () => {
  const cases: [string, string][] = [
    ['<imdn xmlns="urn:ietf:params:xml:ns:imdn"><delivery-notification><status><delivered/></status></delivery-notification></imdn>', 'NO_MESSAGE_ID'],
    ['<imdn><message-id>m</message-id><weird-notification/></imdn>', 'NO_NOTIFICATION'],
    ['<imdn><message-id>m</message-id><delivery-notification><status/></delivery-notification></imdn>', 'NO_STATUS'],
    ['<other/>', 'NOT_IMDN_ROOT'],
    ['<imdn>', 'BAD_XML'],
  ];
  for (const [xml, code] of cases) {
    const r = parseImdnXml(xml);
    assert.equal(r.ok ? 'ok' : r.error.code, code, xml);
  }
  const notImdn = parseImdnBody('message/cpim', 'From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\nhi');
  assert.ok(notImdn.ok);
  assert.equal(notImdn.value.parts[0].ok ? 'ok' : notImdn.value.parts[0].error.code, 'NOT_IMDN_CONTENT');
  const wrongType = parseImdnBody('text/plain', 'x');
  assert.equal(wrongType.ok ? 'ok' : wrongType.error.code, 'NOT_CPIM');
});
