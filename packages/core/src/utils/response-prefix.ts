// Which response bodies classification reads, for every adapter, and reading a bounded prefix of a
// fetch `Response` (the fetch and ky adapters hand the caller a `Response` whose body stays unread).

/** Media types whose bodies may hold a vendor error; anything else is never read for classification. */
const TEXTUAL =
  /^(text\/|application\/(.*[+/])?(json|xml|problem\+json|x-www-form-urlencoded|javascript)$)/;

/** The media type of a response, lower-cased, without parameters. */
export function responseMediaType(response: Response): string | undefined {
  return response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
}

/**
 * True when classification should read (a bounded prefix of) a response's body, from its status
 * and headers alone, for every adapter alike:
 *
 * - never when `Content-Length` says it is longer than `limit`: a prefix of a longer body is never
 *   a whole JSON or XML document, so no detector could find a vendor error in it, and reading it
 *   would only hold bytes in memory for nothing;
 * - an error status (not 2xx) is read whatever its media type: a proxy or a vendor may label its
 *   error page wrongly, and the body is small and about to be given up on anyway;
 * - a success only when its media type is text or missing (vendors send JSON as `text/plain` or
 *   unlabelled): an image or a file download is the caller's, never the vendor's error.
 */
export function shouldClassifyBody(
  status: number,
  headers: { get(name: string): string | null },
  limit: number,
): boolean {
  const length = Number(headers.get('content-length') ?? Number.NaN);
  if (length > limit) return false;
  if (status < 200 || status > 299) return true;
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return type === undefined || type === '' || TEXTUAL.test(type);
}

/** {@link shouldClassifyBody} for a fetch `Response` that has a body. */
export function shouldReadBody(response: Response, limit: number): boolean {
  return response.body !== null && shouldClassifyBody(response.status, response.headers, limit);
}

/** The first bytes of a body, and whether they are all of it. */
export interface BodyPrefix {
  bytes: Uint8Array;
  complete: boolean;
}

/**
 * Reads at most `limit` bytes of a clone of the response, leaving the original unread for the
 * caller (its own `.json()` on success, `VendorError.response` on failure). The clone is cancelled
 * once the prefix is read, so a large body is never buffered whole.
 */
export async function readBodyPrefix(response: Response, limit: number): Promise<BodyPrefix> {
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
