import type { Detection, FieldError, ResponseView } from '@triage/core';
import { parseXml } from '../xml/parse-xml.ts';
import { childOf, childrenOf, isDigits, isRecord, textOf } from '../xml/tree.ts';
import { FIELD_VALIDATION } from './codes.ts';

/** A code as Convio sends it: `"2"` or `2` in JSON, text in XML. Anything else is not a code. */
function codeOf(value: unknown): string | number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const text = textOf(value);
  return text !== undefined && isDigits(text) ? text : undefined;
}

/** `errorResponse`: `{ code, message }` (apidoc http_status page). */
function fromErrorResponse(body: unknown): Detection | undefined {
  const code = codeOf(childOf(body, 'code'));
  if (code === undefined) return undefined;
  const detection: Detection = { code };
  const message = textOf(childOf(body, 'message'));
  if (message) detection.message = message;
  return detection;
}

/**
 * `donationResponse.errors`: `code` 101 with a `reason`, `message`, `pageError` and one
 * `fieldError` per refused field (offlineOrganizationGift page; Blackbaud community thread
 * 40289). `errors` and `fieldError` come as an object or string when there is one, an array when
 * there are more (luminateExtend, E-47741).
 *
 * With several errors, one that is not FIELD_VALIDATION wins: it may be a charged card.
 */
function fromDonationResponse(body: unknown): Detection | undefined {
  const errors = childrenOf(body, 'errors')
    .map((error) => ({ error, code: codeOf(childOf(error, 'code')) }))
    .filter((entry) => entry.code !== undefined);
  const chosen =
    errors.find(({ error }) => textOf(childOf(error, 'reason')) !== FIELD_VALIDATION) ?? errors[0];
  if (chosen === undefined || chosen.code === undefined) return undefined;
  const { error, code } = chosen;
  const detection: Detection = { code };
  const message = textOf(childOf(error, 'message')) || textOf(childOf(error, 'pageError'));
  if (message) detection.message = message;
  const reason = textOf(childOf(error, 'reason'));
  if (reason) detection.subcode = reason;
  // Convio names no field, only the message shown beside it: that message is the field's name.
  const fields: FieldError[] = errors
    .flatMap((entry) => childrenOf(entry.error, 'fieldError'))
    .map(textOf)
    .filter((text): text is string => text !== undefined && text !== '')
    .map((text) => ({ name: text }));
  if (fields.length > 0) detection.fields = fields;
  return detection;
}

const ENVELOPES = ['errorResponse', 'donationResponse'] as const;

function fromEnvelope(name: string, value: unknown): Detection | undefined {
  if (name === 'errorResponse') return fromErrorResponse(value);
  if (name === 'donationResponse') return fromDonationResponse(value);
  return undefined;
}

/**
 * Finds Convio's error in a response: `errorResponse` or `donationResponse.errors`, in JSON
 * (`response_format=json`, often served as `text/plain`, or already parsed by the client) or XML
 * (the default, under a namespace such as `<errorResponse xmlns="http://convio.com/crm/v1.0">`),
 * behind HTTP 403 or, with `suppress_response_codes=true`, HTTP 200. A 302 becomes code `'302'`:
 * the status page says it answers a request with a `redirect` parameter, outcome unknown.
 *
 * Only the envelope counts: a success response that mentions "error" is not an error.
 *
 * @example
 * ```ts
 * detectConvio(view); // { code: '2', message: 'Incorrect API key. …' }
 * ```
 */
export function detectConvio(view: ResponseView): Detection | undefined {
  if (view.status === 302) {
    return { code: '302', message: 'HTTP 302 redirect: the call may or may not have succeeded' };
  }
  const json = view.json();
  if (isRecord(json)) {
    const name = ENVELOPES.find((envelope) => Object.hasOwn(json, envelope));
    return name === undefined ? undefined : fromEnvelope(name, json[name]);
  }
  const text = view.text();
  // A cheap skip, not a parse: an envelope's name is always spelled out in the text.
  if (!ENVELOPES.some((envelope) => text.includes(envelope))) return undefined;
  const root = parseXml(text);
  return root === undefined ? undefined : fromEnvelope(root.name, root.value);
}
