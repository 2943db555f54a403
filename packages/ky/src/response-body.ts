import { type ResponseRead, responseMediaType } from '@triage/core';

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
  read: ResponseRead,
  request: Request,
  parseJson: ParseJson | undefined,
): Promise<unknown> {
  const { response, input, complete } = read;
  // Only a body read whole (a body read whole is text): a prefix would be ky's data cut short.
  if (!complete || typeof input.body !== 'string' || input.body === '') return undefined;
  const text = input.body;
  if (!JSON_TYPE.test(responseMediaType(response) ?? '')) return text;
  try {
    return parseJson === undefined
      ? JSON.parse(text)
      : await parseJson(text, { request, response });
  } catch {
    return undefined;
  }
}
