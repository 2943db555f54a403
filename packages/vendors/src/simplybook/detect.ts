import type { Detection, FieldError, ResponseView } from '@triage/core';

// The page's example sends the code as a string ("-32602"); the "Company administration service
// methods" page shows it as a number (-32601). Both are accepted, integers only.
const NUMERIC_CODE = /^-?\d+$/;

/**
 * The client field each client-data code is about. SimplyBook names them `name`, `email` and
 * `phone` in the client data object of book() and addClient(); the error carries no field name.
 */
const CLIENT_FIELDS: Readonly<Record<string, string>> = {
  '-32061': 'name',
  '-32062': 'email',
  '-32063': 'phone',
};

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wireCode(value: unknown): string | number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return NUMERIC_CODE.test(trimmed) ? trimmed : undefined;
}

/**
 * The JSON-RPC 2.0 error of one response object, or `undefined` when it is not one: it needs an
 * `error` object with an integer code, and no non-null `result` (JSON-RPC 2.0 §5: exactly one
 * of the two). A `result` that merely contains a key named `error` is a success.
 */
function rpcError(response: unknown): Detection | undefined {
  if (!isObject(response) || !isObject(response.error)) return undefined;
  if (response.result !== undefined && response.result !== null) return undefined;
  const code = wireCode(response.error.code);
  if (code === undefined) return undefined;
  const detection: Detection = { code };
  if (typeof response.error.message === 'string') detection.message = response.error.message;
  const field = CLIENT_FIELDS[String(code)];
  if (field !== undefined) {
    const fieldError: FieldError = { name: field, code: String(code) };
    if (detection.message !== undefined) fieldError.message = detection.message;
    detection.fields = [fieldError];
  }
  return detection;
}

/**
 * Finds SimplyBook's JSON-RPC error in a response, whatever the HTTP status and content type:
 * the status of SimplyBook errors is not documented (probably 200), so the body decides.
 *
 * A batch (a JSON array) is reported by its first failed element in response order. JSON-RPC
 * 2.0 §6 lets a server order batch replies freely, so "first" is by position, not by request;
 * matching replies to calls by `id` is the caller's job.
 */
export function detectSimplybookError(view: ResponseView): Detection | undefined {
  const body = view.json();
  if (!Array.isArray(body)) return rpcError(body);
  for (const element of body) {
    const found = rpcError(element);
    if (found !== undefined) return found;
  }
  return undefined;
}
