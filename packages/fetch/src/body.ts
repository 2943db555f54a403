/** Why a body cannot be sent twice, or `true` when it can. */
export function replayability(body: BodyInit | null | undefined): true | string {
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) {
    return 'the request body is a ReadableStream, which can be read only once';
  }
  return true;
}

/** The body as `auth.apply` may see and rewrite it: text or bytes; other kinds stay as they are. */
export function applicableBody(body: BodyInit | null | undefined): string | Uint8Array | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return undefined;
}

/** Media types whose bodies may hold a vendor error; anything else is never read for classification. */
const TEXTUAL =
  /^(text\/|application\/(.*[+/])?(json|xml|problem\+json|x-www-form-urlencoded|javascript)$)/;

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
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' || TEXTUAL.test(type);
}

/**
 * Reads at most `limit` bytes of a clone of the response, leaving the original unread for the
 * caller. The clone is cancelled once the prefix is read, so a large body is never buffered whole.
 */
export async function readPrefix(
  response: Response,
  limit: number,
): Promise<Uint8Array | undefined> {
  const clone = response.clone();
  const reader = clone.body?.getReader();
  if (reader === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
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
  return bytes;
}
