import type { Options } from 'ky';

/** What kind of body the caller gave ky, judged from the options before ky turns it into a stream. */
export type BodyKind = 'text' | 'bytes' | 'stream';

/** The body as the engine replays it. */
export type BodyPlan =
  /** Read once into memory; every attempt sends the same text or bytes. */
  | { replayable: true; body?: string | Uint8Array }
  /** A stream can be sent once only; `replayable` says why. */
  | { replayable: string; stream: ReadableStream<Uint8Array> };

/**
 * Classifies the caller's body from ky's options. By the time ky calls `fetch`, every body is a
 * stream inside the `Request`; only the options still tell a string from a real stream.
 */
export function bodyKind(options: Options): BodyKind {
  const body = options.body;
  if (options.json !== undefined) return 'text';
  // No body option: a body, if any, came with a `Request` given as input; read it as bytes.
  if (body === undefined || body === null) return 'bytes';
  if (typeof body === 'string' || body instanceof URLSearchParams) return 'text';
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return 'stream';
  return 'bytes';
}

// `ignoreBOM` keeps a leading BOM, so the text sent again is byte for byte what ky built.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Reads ky's request body once so every attempt can send it again unchanged. FormData and
 * URLSearchParams are already encoded by then, and their content type (with the multipart
 * boundary) is in the request headers, so the bytes replay identically. Text stays text so that
 * `auth.apply` can rewrite it.
 */
export async function planBody(request: Request, kind: BodyKind): Promise<BodyPlan> {
  if (request.body === null) return { replayable: true };
  if (kind === 'stream') {
    return {
      replayable: 'the request body is a ReadableStream, which can be read only once',
      stream: request.body,
    };
  }
  const bytes = await readAll(request.body);
  return { replayable: true, body: kind === 'text' ? decoder.decode(bytes) : bytes };
}

/**
 * Reads a stream whole and unlocks it. `request.arrayBuffer()` would leave ky's request body
 * locked, and ky cancels that body when the call ends: cancelling a locked stream rejects with a
 * Node error whose stack trace alone costs more than a loopback request.
 */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
