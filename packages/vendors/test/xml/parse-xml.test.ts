import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXml, parseXmlRanges } from '../../src/xml/parse-xml.ts';

describe('parseXml', () => {
  it('parses a CO3 error with a declaration, CDATA and any whitespace (CDATA kept verbatim)', () => {
    const text = [
      '',
      '  <?xml version="1.0" encoding="utf-8"?> ',
      '<response>',
      '    <error>',
      '        <code>  8 </code>',
      '        <description><![CDATA[ Too many requests & more <b> ]]></description>',
      '    </error>',
      '</response>',
      '',
    ].join('\n');
    expect(parseXml(text)).toStrictEqual({
      name: 'response',
      value: { error: { code: '8', description: ' Too many requests & more <b> ' } },
    });
  });

  it('reads a default namespace and a prefixed namespace alike (Convio)', () => {
    const plain =
      '<errorResponse xmlns="http://convio.com/crm/v1.0" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
      'xsi:schemaLocation="http://convio.com/crm/v1.0 http://service.convio.net/xmlschema/crm.public.v1.xsd">' +
      '<code>2</code><message>Incorrect API key.</message></errorResponse>';
    const prefixed =
      '<crm:errorResponse xmlns:crm="http://convio.com/crm/v1.0">' +
      '<crm:code>2</crm:code><crm:message>Incorrect API key.</crm:message></crm:errorResponse>';
    const expected = {
      name: 'errorResponse',
      value: { code: '2', message: 'Incorrect API key.' },
    };
    expect(parseXml(plain)).toStrictEqual(expected);
    expect(parseXml(prefixed)).toStrictEqual(expected);
  });

  it('keeps codes as the text that was sent', () => {
    expect(parseXml('<r><code>007</code><n>1e3</n></r>')).toStrictEqual({
      name: 'r',
      value: { code: '007', n: '1e3' },
    });
  });

  it('gives repeated elements as an array and a single one as a value', () => {
    expect(parseXml('<r><f>a</f><f>b</f><g>c</g></r>')).toStrictEqual({
      name: 'r',
      value: { f: ['a', 'b'], g: 'c' },
    });
  });

  it('decodes the five predefined entities and character references', () => {
    expect(parseXml('<r>&lt;&gt;&amp;&quot;&apos; &#337;&#x151;</r>')).toStrictEqual({
      name: 'r',
      value: '<>&"\' őő',
    });
  });

  it('keeps entity-like text inside CDATA as written', () => {
    expect(parseXml('<r><![CDATA[&xxe; &amp;]]></r>')).toStrictEqual({
      name: 'r',
      value: '&xxe; &amp;',
    });
  });

  it.each([
    ['an empty string', ''],
    ['whitespace', '  \n '],
    ['plain text', 'Too many requests'],
    ['JSON', '{"errorResponse":{"code":"2"}}'],
    ['a truncated document', '<response><error><code>8</code><descr'],
    ['an unclosed root', '<response><error><code>8</code></error>'],
    ['a mismatched closing tag', '<response><error></response></error>'],
    [
      'an nginx error page',
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    ],
    ['two roots', '<a/><b/>'],
    ['two roots of one name', '<a>1</a><a>2</a>'],
    ['a declaration only', '<?xml version="1.0"?>'],
    ['an unknown entity', '<r>&nbsp;</r>'],
    ['a bare ampersand', '<r>a & b</r>'],
    ['a reference to a non-character', '<r>&#0;</r>'],
    ['a reference with no end', '<r>&amp</r>'],
    ['nesting deeper than any vendor error', `${'<a>'.repeat(80)}x${'</a>'.repeat(80)}`],
  ])('returns undefined for %s', (_, text) => {
    expect(parseXml(text)).toBeUndefined();
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const result = parseXml(`<r>${text}</r>`);
        expect(result === undefined || result.name === 'r').toBe(true);
        parseXml(text);
        parseXmlRanges(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseXml refuses DOCTYPEs and entities beyond the predefined five', () => {
  const billionLaughs = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE lolz [',
    ' <!ENTITY lol "lol">',
    ' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
    ' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">',
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
    ' <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">',
    ']>',
    '<response><error><code>8</code><description>&lol9;</description></error></response>',
  ].join('\n');
  const externalEntity = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE response [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>',
    '<response><error><code>5</code><description>&xxe;</description></error></response>',
  ].join('\n');
  const entityInCode = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE response [ <!ENTITY c "8"> ]>',
    '<response><error><code>&c;</code></error></response>',
  ].join('\n');
  const undeclaredInCode = '<response><error><code>&c;</code></error></response>';
  const emptyDoctype = '<!DOCTYPE response><response><error><code>8</code></error></response>';

  it.each([
    ['a billion-laughs DOCTYPE', billionLaughs],
    ['an external entity (SYSTEM "file:///etc/passwd")', externalEntity],
    ['an internal entity used in <code>', entityInCode],
    ['an undeclared entity used in <code>', undeclaredInCode],
    ['a DOCTYPE without entities', emptyDoctype],
  ])('returns undefined for %s, without throwing', (_, text) => {
    expect(parseXml(text)).toBeUndefined();
    expect(parseXmlRanges(text)).toBeUndefined();
  });

  it('parses the same documents without the DOCTYPE, so the refusal is the DOCTYPE', () => {
    expect(
      parseXml('<response><error><code>8</code><description>x</description></error></response>'),
    ).toStrictEqual({ name: 'response', value: { error: { code: '8', description: 'x' } } });
  });

  it('keeps no state from a refused document into the next one', () => {
    expect(parseXml(billionLaughs)).toBeUndefined();
    expect(parseXml('<r>&amp;</r>')).toStrictEqual({ name: 'r', value: '&' });
  });
});

describe('parseXmlRanges', () => {
  it('gives element positions in the text as given', () => {
    const text = '\n<?xml version="1.0"?>\n<command><getContacts/><x>1</x></command>';
    const root = parseXmlRanges(text);
    expect(root).toStrictEqual({
      name: 'command',
      start: text.indexOf('<command>'),
      end: text.length,
      children: [
        {
          name: 'getContacts',
          start: text.indexOf('<getContacts/>'),
          end: text.indexOf('<x>'),
          children: [],
        },
        { name: 'x', start: text.indexOf('<x>'), end: text.indexOf('</command>'), children: [] },
      ],
    });
  });

  it('keeps prefixes in names', () => {
    const text = '<a:b xmlns:a="urn:x"><a:c/></a:b>';
    expect(parseXmlRanges(text)).toStrictEqual({
      name: 'a:b',
      start: 0,
      end: text.length,
      children: [
        { name: 'a:c', start: text.indexOf('<a:c/>'), end: text.indexOf('</a:b>'), children: [] },
      ],
    });
  });
});
