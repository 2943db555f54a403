/** A request as every simulator sees it, whichever transport (node:http or msw) carried it. */
export interface SimRequest {
  /** Upper case. */
  readonly method: string;
  /** The path under the simulator's base URL, starting with `/` (`/api/crm`). */
  readonly path: string;
  readonly query: URLSearchParams;
  /** A header's value, case-insensitive; several values joined by `, `. */
  header(name: string): string | undefined;
  /** The body as UTF-8 text; `''` when there is none. */
  readonly body: string;
}

/** The parts a transport hands over. */
export interface SimRequestInit {
  method: string;
  url: URL;
  /** The base URL's path, removed from the front of `url`'s path. @default '/' */
  basePath?: string;
  header(name: string): string | undefined;
  body: string;
}

/** Normalizes a transport's request. */
export function createSimRequest(init: SimRequestInit): SimRequest {
  const base = (init.basePath ?? '/').replace(/\/+$/, '');
  const full = init.url.pathname;
  const path = base !== '' && full.startsWith(base) ? full.slice(base.length) || '/' : full;
  return {
    method: init.method.toUpperCase(),
    path,
    query: init.url.searchParams,
    header: init.header,
    body: init.body,
  };
}

/** The media type without parameters, lower case. */
export function mediaType(request: SimRequest): string {
  return (request.header('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Query parameters merged with a form body (`application/x-www-form-urlencoded`), as form-POST
 * APIs read them; the body wins on a name in both.
 */
export function formParams(request: SimRequest): URLSearchParams {
  const params = new URLSearchParams(request.query);
  if (request.body !== '' && mediaType(request) !== 'application/json') {
    for (const [name, value] of new URLSearchParams(request.body)) params.set(name, value);
  }
  return params;
}

/** The body parsed as JSON, or `undefined` when it is not JSON. */
export function jsonBody(request: SimRequest): unknown {
  if (request.body.trim() === '') return undefined;
  try {
    return JSON.parse(request.body) as unknown;
  } catch {
    return undefined;
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
