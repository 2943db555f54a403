import { readBodyPrefix, responseMediaType, shouldReadBody } from '@triage/core';
import { describe, expect, test } from 'vitest';

const response = (body: string | null, init: ResponseInit = {}) => new Response(body, init);

describe('shouldReadBody', () => {
  test('success bodies only when text-like or unlabelled; error bodies whatever their label', () => {
    expect(
      shouldReadBody(
        response('{}', { headers: { 'content-type': 'application/json; charset=utf-8' } }),
        1024,
      ),
    ).toBe(true);
    expect(
      shouldReadBody(
        response('x', { headers: { 'content-type': 'application/vnd.api+json' } }),
        1024,
      ),
    ).toBe(true);
    expect(shouldReadBody(response('x', { headers: { 'content-type': 'text/xml' } }), 1024)).toBe(
      true,
    );
    expect(
      shouldReadBody(
        new Response(new Uint8Array([1]), { headers: { 'content-type': 'image/png' } }),
        1024,
      ),
    ).toBe(false);
    expect(
      shouldReadBody(
        new Response(new Uint8Array([1]), {
          status: 502,
          headers: { 'content-type': 'image/png' },
        }),
        1024,
      ),
    ).toBe(true);
    expect(
      shouldReadBody(
        response('x', { headers: { 'content-length': '5000', 'content-type': 'text/plain' } }),
        1024,
      ),
    ).toBe(false);
    expect(shouldReadBody(response(null, { status: 204 }), 1024)).toBe(false);
  });

  test('responseMediaType drops parameters and case', () => {
    expect(
      responseMediaType(response('', { headers: { 'content-type': 'Text/XML; charset=UTF-8' } })),
    ).toBe('text/xml');
  });
});

describe('readBodyPrefix', () => {
  test('a short body is read whole and the caller still reads it', async () => {
    const res = response('{"a":1}');
    const prefix = await readBodyPrefix(res, 1024);
    expect(new TextDecoder().decode(prefix.bytes)).toBe('{"a":1}');
    expect(prefix.complete).toBe(true);
    expect(await res.json()).toEqual({ a: 1 });
  });

  test('a long body is cut at the limit, marked incomplete, and stays whole for the caller', async () => {
    const text = 'x'.repeat(10_000);
    const res = response(text);
    const prefix = await readBodyPrefix(res, 100);
    expect(prefix.bytes.byteLength).toBe(100);
    expect(prefix.complete).toBe(false);
    expect((await res.text()).length).toBe(10_000);
  });

  test('no body: an empty, complete prefix', async () => {
    expect(await readBodyPrefix(response(null), 10)).toEqual({
      bytes: new Uint8Array(0),
      complete: true,
    });
  });
});
