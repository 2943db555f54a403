// A fetched `Response` whose body triage has read (for classification), handed to the caller as
// the same object: its body members answer from the bytes read, or from the rest of the stream.
//
// Why not `response.clone()` or `new Response(bytes, …)`: in Node (undici) both build new web
// streams, which costs more CPU than all the rest of triage's work on a success (about 10 µs per
// response in Node 24). And a constructed `Response` cannot carry the fetched one's `url`,
// `redirected` and `type`. The fetched object keeps all of these, its headers and status natively:
// only its body members (`text`, `json`, `arrayBuffer`, `bytes`, `blob`, `formData`, `body`,
// `bodyUsed`, `clone`) come from the prototype set here. Code that calls `Response.prototype`'s
// own methods on it (`Response.prototype.text.call(response)`) finds the body used: triage read it.

import type { ParsedBody } from '../types/input.ts';

const STATE: unique symbol = Symbol('triage.bufferedBody');

/** The body of a buffered response. */
interface BufferedBody {
  /** The whole body, read once from the wire (empty once the caller has it). */
  bytes: Uint8Array;
  /** The bytes as UTF-8 text, as `text()` answers (BOM dropped, bad bytes replaced). */
  text: string | undefined;
  /** What classification parsed of `text`, exactly `JSON.parse(text)`, for `json()`. */
  parsed: ParsedBody | undefined;
  /** Consumed from memory (`text()`, `json()`, `arrayBuffer()`, `bytes()`). */
  used: boolean;
  /**
   * A `Response` whose body answers from now on: the rest of a body longer than what was read,
   * or the bytes, once the caller asks for `body`, `blob()` or `formData()`. Stream locking and
   * `bodyUsed` are then its own, as in fetch.
   */
  stream: Response | undefined;
  /** A clone's `url`, `redirected` and `type`, which a constructed `Response` cannot be given. */
  origin: Pick<Response, 'url' | 'redirected' | 'type'> | undefined;
}

type Buffered = Response & { [STATE]: BufferedBody };

/** A body member that reads the body. */
type Reader = 'text' | 'json' | 'arrayBuffer' | 'bytes' | 'blob' | 'formData';

const EMPTY = new Uint8Array(0);

function stateOf(response: Response): BufferedBody {
  return (response as Buffered)[STATE];
}

/** The `Response` that answers from now on: made from the bytes the first time it is needed. */
function streamOf(response: Response): Response {
  const state = stateOf(response);
  if (state.stream === undefined) {
    const headers = response.headers;
    state.stream = new Response((state.used ? EMPTY : state.bytes) as BodyInit, { headers });
    // Read already: the stream is as fetch leaves a consumed body, disturbed and locked.
    if (state.used) state.stream.arrayBuffer().catch(() => {});
    state.bytes = EMPTY;
  }
  return state.stream;
}

/**
 * Reads the body from memory, once, as fetch would; through the stream's `Response` once there is
 * one, and for `blob()` and `formData()`, whose parsing of Content-Type is fetch's own.
 */
function read(response: Response, method: Reader): Promise<unknown> {
  const state = stateOf(response);
  const stream =
    state.stream ?? (method === 'blob' || method === 'formData' ? streamOf(response) : undefined);
  if (stream !== undefined) {
    return (Response.prototype[method] as () => Promise<unknown>).call(stream);
  }
  if (state.used) {
    return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
  }
  state.used = true;
  const { bytes, text, parsed } = state;
  // Nothing else will read them: the memory is the caller's now.
  state.bytes = EMPTY;
  state.text = undefined;
  state.parsed = undefined;
  try {
    if (method === 'bytes') return Promise.resolve(bytes);
    if (method === 'arrayBuffer') {
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      return Promise.resolve(whole ? bytes.buffer : bytes.slice().buffer);
    }
    const decoded = text ?? new TextDecoder().decode(bytes);
    if (method === 'text') return Promise.resolve(decoded);
    // The object classification parsed is the caller's now: the body is parsed once.
    return Promise.resolve(parsed?.value !== undefined ? parsed.value : JSON.parse(decoded));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Where a buffered response came from: a clone's own record, else fetch's getter. */
function origin<K extends 'url' | 'redirected' | 'type'>(response: Response, key: K): Response[K] {
  const own = stateOf(response).origin as Response | undefined;
  if (own !== undefined) return own[key];
  return Object.getOwnPropertyDescriptor(Response.prototype, key)!.get!.call(response);
}

/** The body members of a buffered response, over `Response.prototype` for everything else. */
function bufferedPrototype(): Response {
  const members = {
    text(this: Response) {
      return read(this, 'text');
    },
    json(this: Response) {
      return read(this, 'json');
    },
    arrayBuffer(this: Response) {
      return read(this, 'arrayBuffer');
    },
    bytes(this: Response) {
      return read(this, 'bytes');
    },
    blob(this: Response) {
      return read(this, 'blob');
    },
    formData(this: Response) {
      return read(this, 'formData');
    },
    get body(): ReadableStream<Uint8Array> | null {
      return streamOf(this as unknown as Response).body;
    },
    get bodyUsed(): boolean {
      const state = stateOf(this as unknown as Response);
      return state.stream?.bodyUsed ?? state.used;
    },
    get url(): string {
      return origin(this as unknown as Response, 'url');
    },
    get redirected(): boolean {
      return origin(this as unknown as Response, 'redirected');
    },
    get type(): ResponseType {
      return origin(this as unknown as Response, 'type');
    },
    clone(this: Response): Response {
      const state = stateOf(this);
      // As fetch: a clone of a body already read is refused (the stream's own clone refuses too).
      if (state.stream === undefined && state.used) {
        throw new TypeError('Response.clone: Body has already been consumed.');
      }
      const copy = new Response(null, {
        status: this.status,
        statusText: this.statusText,
        headers: this.headers,
      });
      return buffered(copy, {
        bytes: state.bytes.slice(),
        text: state.text,
        parsed: undefined,
        used: false,
        stream:
          state.stream === undefined ? undefined : Response.prototype.clone.call(state.stream),
        origin: { url: this.url, redirected: this.redirected, type: this.type },
      });
    },
  };
  return Object.setPrototypeOf(members, Response.prototype) as Response;
}

/** Made on first use: importing core must not need `Response` (axios users may have no fetch). */
let BUFFERED: Response | undefined;

function buffered(response: Response, state: BufferedBody): Response {
  // A plain assignment: `Object.defineProperty` costs twice as much, on every request.
  (response as Buffered)[STATE] = state;
  BUFFERED ??= bufferedPrototype();
  return Object.setPrototypeOf(response, BUFFERED) as Response;
}

/**
 * Turns `response`, whose body was just read whole into `bytes`, into a buffered response: the
 * same object, its body answered from `bytes` (and `text`, when already decoded; and `parsed`,
 * once classification has filled it). `response`'s own body must not be read again.
 */
export function bufferedResponse(
  response: Response,
  bytes: Uint8Array,
  text?: string,
  parsed?: ParsedBody,
): Response {
  return buffered(response, {
    bytes,
    text,
    parsed,
    used: false,
    stream: undefined,
    origin: undefined,
  });
}

/**
 * Turns `response`, whose body is being read through `rest` (the part read already, then the
 * remainder), into a response whose body is `rest`: the same object, so its status, headers, `url`,
 * `redirected` and `type` stay fetch's own.
 */
export function streamedResponse(response: Response, rest: ReadableStream<Uint8Array>): Response {
  const stream = new Response(rest, { headers: response.headers });
  return buffered(response, {
    bytes: EMPTY,
    text: undefined,
    parsed: undefined,
    used: false,
    stream,
    origin: undefined,
  });
}
