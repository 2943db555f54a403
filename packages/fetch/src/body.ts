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

/** True when classification should read this response's body. */
export function worthReading(response: Response): boolean {
  if (response.body === null) return false;
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  // No content type: vendors (Convio) send JSON as text/plain or nothing at all; read a prefix.
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
