import type { Detection, FieldError, ResponseView } from '@triage/core';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A member by the page's PascalCase name, or camelCase: the envelope is ServiceStack's
 * `ResponseStatus`, which a ServiceStack host may be configured to emit in camelCase.
 */
function member(object: JsonObject, name: string): unknown {
  return object[name] ?? object[name.charAt(0).toLowerCase() + name.slice(1)];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * The page says the names of ONE_OF_SEVERAL_PARAMETERS_REQUIRED are "concatenated" in one
 * FieldName without naming the separator; parameter names never hold spaces or punctuation, so
 * any of `,` `;` `|` `/` or spaces (and the words "or"/"and") separates them.
 */
const SEVERAL = 'ONE_OF_SEVERAL_PARAMETERS_REQUIRED';
const SEPARATORS = /[\s,;|/]+/;

function fieldErrors(errors: unknown, topCode: string): FieldError[] {
  if (!Array.isArray(errors)) return [];
  const fields: FieldError[] = [];
  for (const entry of errors) {
    if (!isObject(entry)) continue;
    const fieldName = text(member(entry, 'FieldName'));
    if (fieldName === undefined) continue;
    const code = text(member(entry, 'ErrorCode'));
    const message = text(member(entry, 'Message'));
    const names =
      (code ?? topCode) === SEVERAL
        ? fieldName.split(SEPARATORS).filter((n) => n !== '' && !/^(or|and)$/i.test(n))
        : [fieldName.trim()];
    for (const name of names) {
      const field: FieldError = { name };
      if (message !== undefined) field.message = message;
      if (code !== undefined) field.code = code;
      fields.push(field);
    }
  }
  return fields;
}

/**
 * Finds Fone Dynamics' `{"ResponseStatus":{"ErrorCode","Message","Errors":[{"FieldName"}]}}`
 * (REST API Errors page). A `ResponseStatus` without an ErrorCode (`{}`, as successful
 * ServiceStack responses carry it) is not an error.
 */
export function detectFonedynamicsError(view: ResponseView): Detection | undefined {
  const body = view.json();
  if (!isObject(body)) return undefined;
  const status = member(body, 'ResponseStatus');
  if (!isObject(status)) return undefined;
  const code = text(member(status, 'ErrorCode'))?.trim();
  if (code === undefined) return undefined;
  const detection: Detection = { code };
  const message = text(member(status, 'Message'));
  if (message !== undefined) detection.message = message;
  const fields = fieldErrors(member(status, 'Errors'), code);
  if (fields.length > 0) detection.fields = fields;
  return detection;
}
