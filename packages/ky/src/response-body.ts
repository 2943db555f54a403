import { type BodyPrefix, responseMediaType } from '@triage/core';

/** ky's test for a JSON body when it fills `HTTPError.data` (`json`, `problem+json`, `vnd.x+json`). */
const JSON_TYPE = /\/(?:.*[.+-])?json$/;

/** ky's `parseJson` option. */
export type ParseJson = (
  text: string,
  context: { request: Request; response: Response },
) => unknown;

/**
 * `HTTPError.data` as ky fills it: JSON for a JSON media type (through `parseJson` when given),
 * text otherwise, `undefined` when the body is empty, cut short or does not parse.
 */
export async function errorData(
  prefix: BodyPrefix | undefined,
  request: Request,
  response: Response,
  parseJson: ParseJson | undefined,
): Promise<unknown> {
  if (prefix === undefined || !prefix.complete || prefix.bytes.byteLength === 0) return undefined;
  const text = new TextDecoder().decode(prefix.bytes);
  if (!JSON_TYPE.test(responseMediaType(response) ?? '')) return text;
  try {
    return parseJson === undefined
      ? JSON.parse(text)
      : await parseJson(text, { request, response });
  } catch {
    return undefined;
  }
}
