import { describe, expect, it } from 'vitest';
import { withSessionKey } from '../../src/co3/index.ts';
import { parseXml } from '../../src/xml/parse-xml.ts';

const key = '<session_key><![CDATA[s1]]></session_key>';

describe('withSessionKey', () => {
  it('puts the key right after <api_key> in the method element, as the CRM page shows', () => {
    const body =
      '<?xml version="1.0" encoding="utf-8"?>\n<command>\n    <getContacts>\n' +
      '        <api_key><![CDATA[k]]></api_key>\n    </getContacts>\n</command>';
    expect(withSessionKey(body, 's1')).toBe(body.replace('</api_key>', `</api_key>${key}`));
  });

  it('replaces an existing key where it is, leaving every other byte alone', () => {
    const body =
      '<command>\r\n  <getContact a="1 > 0">\r\n    <api_key>k</api_key>\r\n' +
      '    <session_key>\r\n old \r\n</session_key>\r\n    <note>a &amp; b</note>\r\n' +
      '  </getContact>\r\n</command>\r\n';
    expect(withSessionKey(body, 's1')).toBe(
      body.replace('<session_key>\r\n old \r\n</session_key>', key),
    );
  });

  it('adds the key at the end of a method element without <api_key>', () => {
    expect(withSessionKey('<command><getContacts><x>1</x></getContacts></command>', 's1')).toBe(
      `<command><getContacts><x>1</x>${key}</getContacts></command>`,
    );
  });

  it('opens a self-closing method element', () => {
    expect(withSessionKey('<command><getContacts/></command>', 's1')).toBe(
      `<command><getContacts>${key}</getContacts></command>`,
    );
    expect(withSessionKey('<command><getContacts /></command>', 's1')).toBe(
      `<command><getContacts >${key}</getContacts></command>`,
    );
  });

  it('moves a key found directly under the root into the method element', () => {
    expect(
      withSessionKey(
        '<command><session_key>old</session_key><api_key>k</api_key><getContact><contact_id>1</contact_id></getContact></command>',
        's1',
      ),
    ).toBe(
      `<command><api_key>k</api_key><getContact><contact_id>1</contact_id>${key}</getContact></command>`,
    );
  });

  it('removes duplicate keys and keeps the first place', () => {
    expect(
      withSessionKey(
        '<command><m><session_key>a</session_key><x/><session_key>b</session_key></m></command>',
        's1',
      ),
    ).toBe(`<command><m>${key}<x/></m></command>`);
  });

  it('puts the key under a root without a method element', () => {
    expect(withSessionKey('<command></command>', 's1')).toBe(`<command>${key}</command>`);
    expect(withSessionKey('<command/>', 's1')).toBe(`<command>${key}</command>`);
  });

  it('keeps prefixed elements and leading whitespace', () => {
    expect(
      withSessionKey(
        '\n <c:command xmlns:c="urn:co3"><c:m><c:api_key>k</c:api_key></c:m></c:command>',
        's1',
      ),
    ).toBe(`\n <c:command xmlns:c="urn:co3"><c:m><c:api_key>k</c:api_key>${key}</c:m></c:command>`);
  });

  it('writes any key as text the parser reads back', () => {
    const hostile = 'a]]>b<c>&amp;';
    const result = withSessionKey('<command><m/></command>', hostile) ?? '';
    expect(parseXml(result)).toStrictEqual({
      name: 'command',
      value: { m: { session_key: hostile } },
    });
  });

  it.each([
    ['an empty body', ''],
    ['JSON', '{"command":{}}'],
    ['truncated XML', '<command><getContacts>'],
    ['a DOCTYPE', '<!DOCTYPE command [<!ENTITY x "y">]><command><m/></command>'],
  ])('returns undefined for %s', (_, body) => {
    expect(withSessionKey(body, 's1')).toBeUndefined();
  });
});
