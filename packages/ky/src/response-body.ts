/** Media types whose bodies may hold a vendor error; anything else is never read for classification. */
const TEXTUAL =
  /^(text\/|application\/(.*[+/])?(json|xml|problem\+json|x-www-form-urlencoded|javascript)$)/;

/** ky's test for a JSON body when it fills `HTTPError.data` (`json`, `problem+json`, `vnd.x+json`). */
const JSON_TYPE = /\/(?:.*[.+-])?json$/;

function mediaType(response: Response): string | undefined {
  return response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
}

/**
 * True when classification should read (a bounded prefix of) this response's body:
 *
 * - never when `Content-Length` says it is longer than `limit`: a prefix of a longer body is never
 *   a whole JSON or XML document, so no detector could find a vendor error in it, and reading it
 *   would only hold bytes in memory for nothing;
 * - an error status (not 2xx) is read whatever its media type: a proxy or a vendor may label its
 *   error page wrongly, and the body is small and about to be given up on anyway;
 * - a success only when its media type is text or missing (vendors send JSON as `text/plain` or
 *   unlabelled): an image or a file download is the caller's, never the vendor's error.
 */
export function worthReading(response: Response, limit: number): boolean {
  if (response.body === null) return false;
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  if (length > limit) return false;
  if (response.status < 200 || response.status > 299) return true;
  const type = mediaType(response);
  return type === undefined || type === '' || TEXTUAL.test(type);
}

/** The first bytes of a body, and whether they are all of it. */
export interface BodyPrefix {
  bytes: Uint8Array;
  complete: boolean;
}

/**
 * Reads at most `limit` bytes of a clone of the response, leaving the original unread for the
 * caller (ky's `.json()` on success, `VendorError.response` on failure). The clone is cancelled
 * once the prefix is read, so a large body is never buffered whole.
 */
export async function readPrefix(response: Response, limit: number): Promise<BodyPrefix> {
  const reader = response.clone().body?.getReader();
  if (reader === undefined) return { bytes: new Uint8Array(0), complete: true };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  try {
    while (size <= limit) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.byteLength - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
    if (offset >= bytes.byteLength) break;
  }
  return { bytes, complete: complete && size <= limit };
}

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
  if (!JSON_TYPE.test(mediaType(response) ?? '')) return text;
  try {
    return parseJson === undefined
      ? JSON.parse(text)
      : await parseJson(text, { request, response });
  } catch {
    return undefined;
  }
}
