import type { AttemptRequest } from '../auth/auth-hooks.ts';
import type { Classification, FieldError } from '../types/classification.ts';
import { isSensitiveName, redactText } from './redact.ts';

const decoder = new TextDecoder();

function fromJson(value: unknown, out: string[], depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (isSensitiveName(key) && (typeof inner === 'string' || typeof inner === 'number'))
      out.push(String(inner));
    else fromJson(inner, out, depth + 1);
  }
}

/** The text of `<name>value</name>` for each sensitive element name, scanned, not parsed. */
function fromXml(body: string, out: string[]): void {
  let at = body.indexOf('<');
  while (at !== -1) {
    const close = body.indexOf('>', at);
    if (close === -1) return;
    const name = body.slice(at + 1, close).split(/\s/)[0] ?? '';
    if (name !== '' && !name.startsWith('/') && isSensitiveName(name)) {
      const end = body.indexOf(`</${name}>`, close);
      if (end !== -1) {
        const value = body
          .slice(close + 1, end)
          .replace(/^<!\[CDATA\[|\]\]>$/g, '')
          .trim();
        if (value !== '') out.push(value);
      }
    }
    at = body.indexOf('<', close);
  }
}

/**
 * The credential values an attempt carries after `auth.apply`: sensitive headers (a scheme such as
 * `Bearer` dropped), cookie values, sensitive query parameters, and sensitive fields of a JSON,
 * form or XML body. Failure paths scrub them from what the vendor said back.
 */
export function credentialValues(request: AttemptRequest): string[] {
  const out: string[] = [];
  request.headers.forEach((value, name) => {
    if (name === 'cookie') {
      for (const pair of value.split(';')) out.push(pair.slice(pair.indexOf('=') + 1).trim());
    } else if (isSensitiveName(name)) {
      out.push(value);
      const space = value.indexOf(' ');
      if (space !== -1) out.push(value.slice(space + 1).trim());
    }
  });
  request.url.searchParams.forEach((value, name) => {
    if (isSensitiveName(name)) out.push(value);
  });
  if (request.url.password !== '') out.push(request.url.password);
  const body =
    typeof request.body === 'string'
      ? request.body
      : request.body instanceof Uint8Array
        ? decoder.decode(request.body)
        : '';
  const text = body.trimStart();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      fromJson(JSON.parse(text), out);
    } catch {
      // Not JSON after all.
    }
  } else if (text.startsWith('<')) {
    fromXml(text, out);
  } else if (text.includes('=')) {
    new URLSearchParams(text).forEach((value, name) => {
      if (isSensitiveName(name)) out.push(value);
    });
  }
  return out.filter((value) => value.length >= 4);
}

/** The classification with credentials scrubbed from the vendor's message and field errors. */
export function scrubClassification(c: Classification, secrets: readonly string[]): Classification {
  const message = redactText(c.message, secrets);
  let fields = c.fields;
  if (fields.length > 0) {
    fields = fields.map((field) => {
      const clean: FieldError = { ...field, name: redactText(field.name, secrets) };
      if (field.message !== undefined) clean.message = redactText(field.message, secrets);
      return clean;
    });
  }
  return message === c.message && fields === c.fields ? c : { ...c, message, fields };
}
