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
