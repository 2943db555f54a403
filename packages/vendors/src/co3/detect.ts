import type { Detection, FieldError, ResponseView } from '@triage/core';
import { parseXml } from '../xml/parse-xml.ts';
import { childOf, isDigits, textOf } from '../xml/tree.ts';
import { CO3_FIELD_CODES } from './codes.ts';

/**
 * The field named at the end of a field-rule description ("The following field must not be 0:
 * price"). Only a single word after the last colon counts: anything else is prose or a list.
 */
function fieldOf(code: string, description: string): FieldError[] {
  if (!CO3_FIELD_CODES.has(code)) return [];
  const colon = description.lastIndexOf(':');
  if (colon === -1) return [];
  const name = description.slice(colon + 1).trim();
  if (name === '' || name.split(/\s/).length > 1) return [];
  return [{ name, message: description, code }];
}

/**
 * Finds CO3's error in a response: `<response><error><code/><description/></error></response>`
 * (error-handling page), whatever the HTTP status, with CDATA or plain text and any whitespace.
 *
 * Only that shape counts. A success `<response>` holds other elements (`<result>OK</result>`,
 * the requested data), possibly named like errors or mentioning them: a `<response>` without an
 * `<error>` that has a numeric `<code>` is not an error.
 *
 * @example
 * ```ts
 * detectCo3(view); // { code: '8', message: 'Too many requests in the same time. Please try later!' }
 * ```
 */
export function detectCo3(view: ResponseView): Detection | undefined {
  const text = view.text();
  // A cheap skip, not a parse: an error element's name is always spelled out in the text.
  if (!text.includes('<error')) return undefined;
  const root = parseXml(text);
  if (root === undefined || root.name !== 'response') return undefined;
  const error = childOf(root.value, 'error');
  const code = textOf(childOf(error, 'code'));
  if (code === undefined || !isDigits(code)) return undefined;
  const description = textOf(childOf(error, 'description')) ?? '';
  const detection: Detection = { code };
  if (description !== '') detection.message = description;
  const fields = fieldOf(code, description);
  if (fields.length > 0) detection.fields = fields;
  return detection;
}
