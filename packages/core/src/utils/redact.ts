/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Names of query parameters, headers and body fields that carry credentials: API keys, tokens,
 * session keys, passwords, signatures (Convio `api_key`, CO3 `session_key`, SimplyBook `X-Token`).
 */
const SENSITIVE_NAME =
  /pass(word|wd)?|secret|token|api[-_]?key|session[-_]?key|^key$|^auth$|^authorization$|^cookie$|^set-cookie$|signature|^sig$|credential|private|^login_password$/i;

/** True when a parameter, header or field of this name holds a credential. */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

/**
 * A URL safe to show: user info dropped, credential-bearing query values replaced.
 * Unparseable input is reduced to nothing that could hold a secret.
 */
export function redactUrl(url: string | URL): string {
  // Nothing to redact (the usual case): the URL as given, without parsing it again.
  if (url instanceof URL && url.search === '' && url.username === '' && url.password === '') {
    return url.href;
  }
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return (
      String(url)
        .split('?')[0]
        ?.replace(/\/\/[^/@]*@/, '//') ?? ''
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = '';
    parsed.password = '';
  }
  for (const name of [...new Set(parsed.searchParams.keys())]) {
    if (isSensitiveName(name)) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString();
}

/** URLs inside free text (client error messages name the URL they were fetching). */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/gi;
/**
 * `name=value`, `name: value` and `"name":"value"` pairs. The name starts at a word boundary and is
 * bounded, so a long run of letters costs linear time, never quadratic backtracking.
 */
const PAIR_IN_TEXT =
  /(?<![\w.-])(["']?)([A-Za-z][\w.-]{0,63})\1([ \t]{0,8}[=:][ \t]{0,8})(["']?)([^\s"'&,;}<]+)\4/g;

/** Longer texts are cut: a message is for people and logs, not a place for a whole body. */
const MAX_TEXT = 4096;

/**
 * Free text safe to show: URLs redacted, credential-named `name=value` pairs replaced, and every
 * known credential value (`secrets`, e.g. the attempt's own API key) removed wherever it appears,
 * for vendors that echo the credential they refused.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  const bounded = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  let out = bounded.replace(URL_IN_TEXT, (url) => redactUrl(url));
  out = out.replace(PAIR_IN_TEXT, (whole, quote: string, name: string, sep: string, vq: string) =>
    isSensitiveName(name) ? `${quote}${name}${quote}${sep}${vq}${REDACTED}${vq}` : whole,
  );
  for (const secret of secrets) {
    // Short values (a `1`, a `no`) are not credentials and would shred the text.
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
