import { describe, expect, it } from 'vitest';
import { buildXmlDocument, buildXmlFragment } from '../../src/xml/build-xml.ts';
import { parseXml } from '../../src/xml/parse-xml.ts';

describe('buildXml', () => {
  it('builds a CO3 command as the vendor samples do: declaration, CDATA values', () => {
    expect(
      buildXmlDocument({
        command: { authenticate: { api_key: 'k', username: 'u', password: 'p' } },
      }),
    ).toBe(
      '<?xml version="1.0" encoding="utf-8"?><command><authenticate>' +
        '<api_key><![CDATA[k]]></api_key><username><![CDATA[u]]></username>' +
        '<password><![CDATA[p]]></password></authenticate></command>',
    );
  });

  it('keeps values that look like markup as text, including a CDATA terminator', () => {
    const hostile = 'a]]><x/>&amp;<![CDATA[b';
    const fragment = buildXmlFragment({ session_key: hostile });
    expect(parseXml(fragment)).toStrictEqual({ name: 'session_key', value: hostile });
  });
});
