/** A complete HTTP answer. Header names are lower case. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON answer. */
export function jsonReply(
  status: number,
  value: unknown,
  contentType: string = JSON_TYPE,
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    headers: { 'content-type': contentType, ...headers },
    body: JSON.stringify(value),
  };
}

/** A text answer (XML, HTML, plain). */
export function textReply(status: number, body: string, contentType: string): Reply {
  return { status, headers: { 'content-type': contentType }, body };
}

const REASONS: Readonly<Record<number, string>> = {
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The reason phrase of a status, for error pages. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

/**
 * The HTML page a reverse proxy (nginx) puts in front of a vendor when its backend fails: what
 * clients get on a 502 instead of the vendor's JSON or XML.
 */
export function gatewayPage(status: number): Reply {
  const title = `${status} ${reasonPhrase(status)}`;
  return textReply(
    status,
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    'text/html',
  );
}

/** A web server's answer to a path the vendor does not serve. */
export function notFound(): Reply {
  return gatewayPage(404);
}

/**
 * The generic throttling answer of vendors that document none: HTTP 429 with a short text, which
 * every triage profile classifies as a retryable throttle (RFC 6585 §4).
 */
export function tooManyRequests(): Reply {
  return textReply(429, 'Too Many Requests', 'text/plain; charset=utf-8');
}
