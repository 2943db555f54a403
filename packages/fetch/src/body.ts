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
