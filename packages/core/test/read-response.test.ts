import { createResponseView, readResponse } from '@triage/core';
import { type ScriptedServer, startScriptedServer } from '@triage/testing/node';
import { afterEach, describe, expect, test } from 'vitest';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const JSON_TYPE = { 'content-type': 'application/json' };

/** A real fetched response (so `url`, `type` and `redirected` are fetch's), and its read. */
async function fetched(
  body: string,
  options: { status?: number; headers?: Record<string, string>; limit?: number } = {},
) {
  await server?.close();
  server = await startScriptedServer({
    script: [{ status: options.status ?? 200, headers: options.headers ?? JSON_TYPE, body }],
  });
  const response = await fetch(`${server.url}/item?id=1`);
  return { response, read: await readResponse(response, options.limit ?? 1024) };
}

describe('readResponse: a body within the limit', () => {
  test('is read once: the same Response, with its status, headers, url, type and redirected', async () => {
    const { response, read } = await fetched('{"a":1}', {
      status: 201,
      headers: { ...JSON_TYPE, 'x-request-id': 'r1' },
    });
    expect(read.response).toBe(response);
    expect(read.complete).toBe(true);
    expect(read.input).toMatchObject({ status: 201, body: '{"a":1}' });
    const res = read.response;
    expect(res).toBeInstanceOf(Response);
    expect(Object.prototype.toString.call(res)).toBe('[object Response]');
    expect([res.status, res.statusText, res.ok]).toEqual([201, 'Created', true]);
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(res.url).toBe(`${server!.url}/item?id=1`);
    expect(res.type).toBe('basic');
    expect(res.redirected).toBe(false);
  });

  test('reads as fetch reads: once, then the body is used', async () => {
    const { read } = await fetched('{"a":1}');
    const res = read.response;
    expect(res.bodyUsed).toBe(false);
    expect(await res.json()).toEqual({ a: 1 });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
  });

  test('every body method answers as fetch would', async () => {
    const text = 'a=1&b=%C3%A9';
    const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };
    const read = async () => (await fetched(text, { headers: urlencoded })).read.response;
    expect(await (await read()).text()).toBe(text);
    expect(new TextDecoder().decode(await (await read()).arrayBuffer())).toBe(text);
    expect(new TextDecoder().decode(await (await read()).bytes())).toBe(text);
    const blob = await (await read()).blob();
    expect([blob.type, await blob.text()]).toEqual(['application/x-www-form-urlencoded', text]);
    expect([...(await (await read()).formData())]).toEqual([
      ['a', '1'],
      ['b', 'é'],
    ]);
    await expect((await read()).json()).rejects.toThrow(SyntaxError);
  });

  test('`body` streams the bytes; once read that way, the other methods see it used', async () => {
    const { read } = await fetched('{"a":1}');
    const res = read.response;
    const stream = res.body!;
    expect(res.body).toBe(stream);
    expect(await new Response(stream).text()).toBe('{"a":1}');
    expect(res.bodyUsed).toBe(true);
    await expect(res.json()).rejects.toThrow(TypeError);
  });

  test('a clone keeps status, headers, url, type and redirected, and reads on its own', async () => {
    const { read } = await fetched('{"a":1}');
    const res = read.response;
    const copy = res.clone();
    const copyOfCopy = copy.clone();
    for (const clone of [copy, copyOfCopy]) {
      expect([clone.status, clone.url, clone.type, clone.redirected]).toEqual([
        200,
        res.url,
        'basic',
        false,
      ]);
      expect(clone.headers.get('content-type')).toBe('application/json');
      expect(await clone.json()).toEqual({ a: 1 });
    }
    expect(await res.json()).toEqual({ a: 1 });
  });

  test('after `body` is taken, clones are the stream’s, and a read body refuses one', async () => {
    const { read } = await fetched('{"a":1}');
    const res = read.response;
    expect(res.body).not.toBeNull();
    const copy = res.clone();
    expect(copy.url).toBe(res.url);
    // As in fetch, `body` after a clone is the stream's new branch.
    expect(await new Response(res.body).json()).toEqual({ a: 1 });
    expect(await copy.json()).toEqual({ a: 1 });
    expect(() => res.clone()).toThrow(TypeError);
  });

  test('`json()` hands over what classification parsed: the body is parsed once', async () => {
    const { read } = await fetched('{"a":{"b":1}}');
    const parsedForClassification = createResponseView(read.input).json();
    expect(parsedForClassification).toEqual({ a: { b: 1 } });
    expect(read.input.parsed?.value).toBe(parsedForClassification);
    expect(await read.response.json()).toBe(parsedForClassification);
  });

  test('text is decoded as fetch decodes it: a BOM dropped, bad bytes replaced', async () => {
    server = await startScriptedServer({
      script: [{ headers: JSON_TYPE, body: new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0xff]) }],
    });
    const read = await readResponse(await fetch(server.url), 1024);
    expect(read.input.body).toBe('{}\uFFFD');
    expect(await read.response.text()).toBe('{}\uFFFD');
  });
});

describe('readResponse: other bodies', () => {
  test('longer than the limit: the same Response, streaming the prefix read and then the rest', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64));
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled++;
          if (pulled > 80) controller.close();
          else controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    const response = new Response(stream, {
      status: 203,
      headers: { 'content-type': 'text/plain' },
    });
    const read = await readResponse(response, 100);
    expect(read.complete).toBe(false);
    expect((read.input.body as Uint8Array).byteLength).toBe(100);
    expect(read.input.parsed).toBeUndefined();
    // Two chunks to pass the limit, and nothing more until the caller reads.
    expect(pulled).toBe(2);
    expect(read.response).toBe(response);
    expect(response.status).toBe(203);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.bodyUsed).toBe(false);
    const copy = response.clone();
    expect((await response.text()).length).toBe(80 * 64);
    expect(response.bodyUsed).toBe(true);
    expect((await copy.text()).length).toBe(80 * 64);
  });

  test('a body classification never reads is handed on untouched', async () => {
    const { response, read } = await fetched('PNG', { headers: { 'content-type': 'image/png' } });
    expect(read.response).toBe(response);
    expect(read.input.body).toBeUndefined();
    expect(Object.getPrototypeOf(response)).toBe(Response.prototype);
    expect(await response.text()).toBe('PNG');
  });
});

describe('createResponseView: a shared parse', () => {
  const headers = new Headers(JSON_TYPE);

  test('a parse the client made already is used, not repeated', () => {
    const value = { fault: 'BUSY' };
    const view = createResponseView({
      status: 200,
      headers,
      body: '{"fault":"BUSY"}',
      parsed: { value },
    });
    expect(view.json()).toBe(value);
  });

  test('only objects and arrays are envelopes, parsed here or before', () => {
    const view = createResponseView({ status: 200, headers, body: '42', parsed: { value: 42 } });
    expect(view.json()).toBeUndefined();
  });

  test('filled only with what `JSON.parse(body)` gives', () => {
    const fill = (body: string, limit?: number) => {
      const parsed: { value?: unknown } = {};
      createResponseView({ status: 200, headers, body, parsed }, limit).json();
      return parsed.value;
    };
    expect(fill(' \n{"a":1}')).toEqual({ a: 1 });
    // The view parses these (a BOM dropped, Unicode space trimmed); JSON.parse would refuse them.
    expect(fill('\uFEFF{"a":1}')).toBeUndefined();
    expect(fill('\u00A0{"a":1}')).toBeUndefined();
    // Cut at the limit: a prefix is not the body.
    expect(fill('{"a":1}      ', 8)).toBeUndefined();
    expect(fill('[1')).toBeUndefined();
  });
});
