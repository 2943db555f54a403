import type { Detection, ResponseView } from '@triage/core';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Finds UnifiedAPI's `{"error":{"code","message"}}` (HTTP Return Codes page) in a response. The
 * code is a snake_case string; the HTTP status the page pairs with it is kept by the profile. An
 * OAuth token-endpoint error (`{"error":"invalid_client"}`, RFC 6749 §5.2) is not this envelope
 * and is left to the HTTP status.
 */
export function detectVoipnowError(view: ResponseView): Detection | undefined {
  const body = view.json();
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const code = body.error.code;
  if (typeof code !== 'string' || code.trim() === '') return undefined;
  const detection: Detection = { code: code.trim() };
  if (typeof body.error.message === 'string') detection.message = body.error.message;
  return detection;
}
