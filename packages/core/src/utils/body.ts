import type { HeadersLike, ResponseInput } from '../types/input.ts';
import type { ResponseView } from '../types/vendor.ts';
import { readHeader } from './headers.ts';

/**
 * How much of a body classification reads. Vendor errors are small; a large body is a success
 * payload or a hostile one, and neither needs reading in full.
 */
export const MAX_CLASSIFY_BYTES = 256 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

function toText(body: unknown, limit: number): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body.length > limit ? body.slice(0, limit) : body;
  if (body instanceof Uint8Array) return decoder.decode(body.subarray(0, limit));
  if (body instanceof ArrayBuffer)
    return decoder.decode(new Uint8Array(body, 0, Math.min(limit, body.byteLength)));
  if (ArrayBuffer.isView(body)) {
    const bytes = new Uint8Array(body.buffer, body.byteOffset, Math.min(limit, body.byteLength));
    return decoder.decode(bytes);
  }
  if (typeof body === 'object') {
    try {
      const text = JSON.stringify(body);
      return text === undefined ? '' : text.slice(0, limit);
    } catch {
      return '';
    }
  }
  return String(body);
}

/** An object or array after JSON whitespace only (RFC 8259 §2). */
const JSON_START = /^[\t\n\r ]*[{[]/;

/** A string or bytes are wire text; anything else the client already parsed. */
function isWireBody(body: unknown): boolean {
  return typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body);
}

function mediaType(headers: HeadersLike | undefined): string | undefined {
  const value = readHeader(headers, 'content-type');
  if (value === undefined) return undefined;
  const type = value.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** Builds the lazy, bounded view of a response that detectors read. */
export function createResponseView(input: ResponseInput, limit = MAX_CLASSIFY_BYTES): ResponseView {
  let text: string | undefined;
  let json: { value: unknown } | undefined;
  const view: ResponseView = {
    status: input.status,
    method: input.method?.toUpperCase(),
    header: (name) => readHeader(input.headers, name),
    // Not a getter: V8 builds an object literal with an accessor ten times slower than this read.
    contentType: mediaType(input.headers),
    raw: input.body,
    text() {
      text ??= toText(input.body, limit).replace(/^\uFEFF/, '');
      return text;
    },
    json() {
      if (json !== undefined) return json.value;
      json = { value: undefined };
      const body = input.body;
      if (body !== null && typeof body === 'object' && !isWireBody(body)) {
        json.value = body;
        return json.value;
      }
      // `parsed` holds a parse of the whole body: the view may use it, or fill it, only when it
      // sees the whole body too.
      const shared = typeof body === 'string' && body.length <= limit ? input.parsed : undefined;
      if (shared?.value !== undefined) {
        if (typeof shared.value === 'object' && shared.value !== null) json.value = shared.value;
        return json.value;
      }
      const source = view.text().trimStart();
      // Only objects and arrays: a bare number or string is not a vendor envelope.
      if (source.startsWith('{') || source.startsWith('[')) {
        try {
          json.value = JSON.parse(source);
          // What `JSON.parse(body)` gives too: nothing but JSON whitespace (no BOM) was trimmed.
          if (shared !== undefined && JSON_START.test(body as string)) shared.value = json.value;
        } catch {
          // Truncated, cut at the bounded prefix, or not JSON at all: nothing to detect.
        }
      }
      return json.value;
    },
  };
  return view;
}
