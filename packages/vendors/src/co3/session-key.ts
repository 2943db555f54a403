import { buildXmlFragment } from '../xml/build-xml.ts';
import { parseXmlRanges, type XmlElementRange } from '../xml/parse-xml.ts';

interface Edit {
  start: number;
  end: number;
  text: string;
}

function localName(range: XmlElementRange): string {
  const colon = range.name.indexOf(':');
  return colon === -1 ? range.name : range.name.slice(colon + 1);
}

const CREDENTIAL_ELEMENTS: ReadonlySet<string> = new Set(['api_key', 'session_key']);

/** Where new content goes at the end of an element: before `</name>`, or by opening `<name/>`. */
function appendTo(xml: string, element: XmlElementRange, text: string): Edit {
  if (xml[element.end - 2] === '/') {
    return { start: element.end - 2, end: element.end, text: `>${text}</${element.name}>` };
  }
  // The closing tag `</name>` holds no `<`, so the last `<` before the element's end opens it.
  const closing = xml.lastIndexOf('<', element.end - 1);
  return { start: closing, end: closing, text };
}

/**
 * Puts `sessionKey` into a CO3 command as `<session_key>`, where CO3's samples have it: inside
 * the method element, after `<api_key>` (`<command><getContact><api_key/><session_key/>…`,
 * learn.co3app.com/hu/api/crm). An existing `<session_key>` (in the method element or directly
 * under the root) is replaced. Everything else in the text is kept as it was.
 *
 * Returns `undefined` when the text is not one well-formed XML document.
 *
 * @example
 * ```ts
 * withSessionKey('<command><getContacts><api_key>k</api_key></getContacts></command>', 's1');
 * // '<command><getContacts><api_key>k</api_key><session_key><![CDATA[s1]]></session_key></getContacts></command>'
 * ```
 */
export function withSessionKey(xml: string, sessionKey: string): string | undefined {
  const root = parseXmlRanges(xml);
  if (root === undefined) return undefined;
  const method = root.children.find((child) => !CREDENTIAL_ELEMENTS.has(localName(child))) ?? root;
  const element = buildXmlFragment({ session_key: sessionKey });

  const existing = [...(method === root ? [] : root.children), ...method.children].filter(
    (child) => localName(child) === 'session_key',
  );
  const inMethod = method.children.find((child) => localName(child) === 'session_key');
  const apiKey = method.children.find((child) => localName(child) === 'api_key');

  const edits: Edit[] = existing.map((child) => ({
    start: child.start,
    end: child.end,
    text: child === inMethod ? element : '',
  }));
  if (inMethod === undefined) {
    edits.push(
      apiKey === undefined
        ? appendTo(xml, method, element)
        : { start: apiKey.end, end: apiKey.end, text: element },
    );
  }

  let result = xml;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}
