// Which response bodies classification reads, for every adapter, and reading a bounded prefix of a
// fetch `Response` for the fetch and ky adapters, which hand the caller a `Response` it reads itself.
import type { ParsedBody, ResponseInput } from '../types/input.ts';
import { bufferedResponse, streamedResponse } from './buffered-response.ts';

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
  return { bytes: concat(chunks, Math.min(size, limit)), complete: complete && size <= limit };
}

/** What classification read of a fetch `Response`, and the response to hand on in its place. */
export interface ResponseRead {
  /**
   * The response for the caller: the same object. A body read whole is answered from memory; a
   * body longer than the limit streams the prefix already read, then the rest as it arrives. A
   * body not read is left as it was.
   */
  response: Response;
  /**
   * What classification reads. `body`: the text of a body read whole (decoded once, shared with the
   * caller's `text()`), the first `limit` bytes of a longer one, or none when
   * {@link shouldClassifyBody} says not to read it. `parsed`, for a body read whole: filled when
   * classification parses it as JSON, and handed to the caller's `json()` instead of a second parse.
   */
  input: ResponseInput;
  /** `input.body` is all of the body. */
  complete: boolean;
}

const decoder = new TextDecoder();

/**
 * Reads what classification needs of a response, without a second copy of its body: at most a
 * little over `limit` bytes of the body itself, never through `clone()`, whose tee builds two more
 * web streams for every response. A body that ends within the limit (nearly every vendor answer)
 * is kept in memory and handed back from there; a longer one is handed on as the bytes read so far
 * followed by the rest, streamed with backpressure, so a large download is never buffered whole.
 * Rejects when the body breaks off while the prefix is read.
 */
export async function readResponse(response: Response, limit: number): Promise<ResponseRead> {
  const status = response.status;
  const headers = response.headers;
  const stream = response.body;
  if (stream === null || !shouldClassifyBody(status, headers, limit)) {
    return { response, input: { status, headers }, complete: false };
  }
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size <= limit) {
    const { done, value } = await reader.read();
    if (done) {
      const bytes = concat(chunks, size);
      const text = decoder.decode(bytes);
      const parsed: ParsedBody = {};
      return {
        response: bufferedResponse(response, bytes, text, parsed),
        input: { status, headers, body: text, parsed },
        complete: true,
      };
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return {
    response: streamedResponse(response, resume(chunks, reader)),
    input: { status, headers, body: concat(chunks, limit) },
    complete: false,
  };
}

/** The first `size` bytes of `chunks`, as a plain `Uint8Array` (fetch's `bytes()` is never a Buffer). */
function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const first = chunks[0];
  if (chunks.length === 1 && first !== undefined && first.byteLength === size) {
    return new Uint8Array(first.buffer, first.byteOffset, first.byteLength);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, size - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
    if (offset >= size) break;
  }
  return bytes;
}

/** The chunks already read, then the rest of `reader`, pulled only as the caller reads. */
function resume(
  chunks: Uint8Array[],
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  let pending: Uint8Array[] | undefined = chunks;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending !== undefined) {
          for (const chunk of pending) controller.enqueue(chunk);
          pending = undefined;
          return;
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        pending = undefined;
        return reader.cancel(reason);
      },
    },
    // Nothing is pulled ahead of the caller's reads: backpressure reaches the connection.
    { highWaterMark: 0 },
  );
}
