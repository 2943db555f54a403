import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachTriage } from '@triage/axios';
import { type Classification, isVendorError, type VendorError } from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { withTriage } from '@triage/ky';
import { createManualClock } from '@triage/testing';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '@triage/testing/node';
import axios from 'axios';
import ky from 'ky';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { drivers } from '../conformance/drivers/index.ts';
import { startFaultServer } from './support/fault-server.ts';
import {
  type Expectation,
  type HostileCase,
  hostileCases,
  VENDORS,
  type VendorSample,
} from './support/hostile.ts';
import { asText, nativeBody, nativeStatus, prototypeGuard, within } from './support/outcome.ts';

// Every hostile response, for every vendor profile, through `profile.classify()` alone and
// through every adapter against a real loopback server: no throw, no hang, no prototype
// pollution, bounded reads, the status as the fallback, the response reachable from the error.

const SINK = '/sink';
const answers = new Map<string, ScriptedResponse>();
// Started before the tests are collected: the cases point their external entities at it.
const server: ScriptedServer = await startScriptedServer({
  script: (request) => answers.get(new URL(request.url, 'http://x').pathname) ?? { status: 404 },
});

afterAll(async () => {
  // External entities and DTDs point at the sink: nothing may have fetched them.
  expect(server.requests.filter((r) => r.url.startsWith(SINK))).toEqual([]);
  await server.close();
});

let checkPrototypes: () => void;
beforeEach(() => {
  checkPrototypes = prototypeGuard();
});
afterEach(() => checkPrototypes());

/** The classification a case must come to, or `undefined` for "not an error". */
function expected(
  vendor: VendorSample,
  hostile: HostileCase,
  expectation: Expectation,
): Classification | undefined {
  const { profile } = vendor;
  const input = { status: hostile.status, method: 'GET' };
  switch (expectation.as) {
    case 'success':
      return undefined;
    case 'status':
      return profile.classify(input);
    case 'envelope':
      return profile.classify({ ...input, body: expectation.clean });
    case 'unknown-code': {
      const base = profile.classify({ ...input, body: expectation.clean });
      return base?.code === undefined ? base : { ...base, code: expectation.code };
    }
  }
}

/** What decides an envelope's classification; the message may differ (replaced bytes). */
function decisive(classification: Classification | undefined): Partial<Classification> {
  if (classification === undefined) return {};
  const { vendor, category, code, effect, status, source } = classification;
  return { vendor, category, code, effect, status, source };
}

function check(
  actual: Classification | undefined,
  want: Classification | undefined,
  how: Expectation,
) {
  if (how.as === 'envelope') {
    expect(want?.code).toBeDefined();
    expect(decisive(actual)).toEqual(decisive(want));
  } else {
    // The oracle itself: the bare status, nothing found in a body.
    if (how.as === 'status') expect(want?.message).toBe(`HTTP ${want?.status}`);
    expect(actual).toEqual(want);
  }
}

describe.each(VENDORS)('$name', (vendor) => {
  const cases = hostileCases(vendor, `${server.url}${SINK}`);

  test.each(cases)('profile.classify: $name', (hostile) => {
    const how = hostile.classify ?? hostile.expect;
    const input = {
      status: hostile.status,
      headers: hostile.headers,
      body: hostile.body,
      method: 'GET',
    };
    check(vendor.profile.classify(input), expected(vendor, hostile, how), how);
    // The same bytes as a string and as bytes read alike.
    const bytes =
      typeof hostile.body === 'string' ? new TextEncoder().encode(hostile.body) : hostile.body;
    check(vendor.profile.classify({ ...input, body: bytes }), expected(vendor, hostile, how), how);
  });

  describe.each(drivers)('$name adapter', (driver) => {
    test.each(cases)('$name', async (hostile) => {
      const path = `/${vendor.name}/${driver.name}/${cases.indexOf(hostile)}`;
      answers.set(path, { status: hostile.status, headers: hostile.headers, body: hostile.body });
      const client = driver.create({
        vendor: vendor.profile,
        retry: false,
        // Waits (CO3's pacing) pass at once; nothing here waits on I/O through the clock.
        clock: createManualClock({ autoAdvance: true }),
        random: () => 0.5,
      });
      const { value, error } = await within(
        client({ url: `${server.url}${path}`, method: 'GET' }),
        15_000,
        hostile.name,
      );
      answers.delete(path);
      const want = expected(vendor, hostile, hostile.expect);
      if (want === undefined) {
        if (error !== undefined) throw error;
        expect(value?.status).toBe(hostile.status);
        // The caller reads the whole body, however much classification read of it.
        expect(value?.text).toBe(asText(hostile.body));
        return;
      }
      expect(isVendorError(error), String(error)).toBe(true);
      const vendorError = error as VendorError;
      check(vendorError.classification, want, hostile.expect);
      // The original response stays reachable: as `response`, and as `cause` or the cause's.
      const response = vendorError.response;
      expect(nativeStatus(response)).toBe(hostile.status);
      const cause = vendorError.cause as { response?: unknown } | undefined;
      expect(cause === response || cause?.response === response).toBe(true);
      expect(await nativeBody(response)).toBe(asText(hostile.body));
    });
  });
});

// A large successful body is the caller's: the adapters hand it over without reading it whole.
// The server streams 64 MiB with backpressure and counts what it managed to write before the
// caller starts reading; had triage buffered the body, that would be all of it.
describe('a 64 MiB success reaches the caller unbuffered', () => {
  const TOTAL = 64 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  const streaming = createServer((req, res) => {
    written = 0;
    const length = req.url === '/length' ? { 'content-length': String(TOTAL) } : {};
    res.writeHead(200, { 'content-type': 'application/json', ...length });
    const pump = (): void => {
      while (written < TOTAL) {
        written += chunk.byteLength;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  const listening = new Promise<string>((resolve) =>
    streaming.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(streaming.address() as AddressInfo).port}`),
    ),
  );
  afterAll(() => new Promise<void>((resolve) => streaming.close(() => resolve())));

  /** Each adapter's way to get the body as a stream the caller reads at its own pace. */
  const clients: Record<string, (url: string) => Promise<() => Promise<number>>> = {
    fetch: async (url) => {
      const response = await createTriageFetch({ vendor: VENDORS[3]!.profile })(url);
      return async () => (await response.arrayBuffer()).byteLength;
    },
    ky: async (url) => {
      const response = await withTriage(ky.create(), { vendor: VENDORS[3]!.profile })(url);
      return async () => (await response.arrayBuffer()).byteLength;
    },
    // axios buffers a body itself unless asked for a stream; triage never reads a stream.
    axios: async (url) => {
      const api = axios.create({ responseType: 'stream' });
      attachTriage(api, { vendor: VENDORS[3]!.profile });
      const { data } = await api.get<AsyncIterable<Buffer>>(url);
      return async () => {
        let size = 0;
        for await (const part of data) size += part.byteLength;
        return size;
      };
    },
  };

  describe.each(['/length', '/chunked'])('%s', (path) => {
    test.each(Object.keys(clients))('%s', async (name) => {
      const { value: read } = await within(
        clients[name]!(`${await listening}${path}`),
        15_000,
        `${name} ${path}`,
      );
      // Time for the server to fill whatever the client would take in without being read.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(written).toBeLessThan(TOTAL / 4);
      expect(await read!()).toBe(TOTAL);
      expect(written).toBe(TOTAL);
    });
  });
});

// How much classification reads is bounded, and the bound is each adapter's `maxClassifyBytes`:
// a 2 kB vendor error is found with a 4 kB limit and not with a 1 kB one (the status decides),
// whether the length is declared (`Content-Length`) or not (chunked).
const chunked = await startFaultServer();
afterAll(() => chunked.close());

describe('the classification prefix is bounded and configurable', () => {
  const body = JSON.stringify({
    error: { code: 'expired_token', message: `expired ${'x'.repeat(2_000)}` },
  });
  answers.set('/bounded', { status: 401, headers: { 'content-type': 'application/json' }, body });
  chunked.script('/bounded', [], { kind: 'ok', status: 401, body });
  const urls = {
    'Content-Length': () => `${server.url}/bounded`,
    chunked: () => `${chunked.url}/bounded`,
  };

  describe.each(drivers)('$name adapter', (driver) => {
    test.each([
      ['Content-Length', 1024, undefined],
      ['Content-Length', 4096, 'expired_token'],
      ['chunked', 1024, undefined],
      ['chunked', 4096, 'expired_token'],
    ] as const)('%s, limit %i: code %s', async (framing, maxClassifyBytes, code) => {
      const client = driver.create({ vendor: VENDORS[3]!.profile, retry: false, maxClassifyBytes });
      const { error } = await within(
        client({ url: urls[framing](), method: 'GET' }),
        10_000,
        framing,
      );
      expect(error).toMatchObject({ category: 'auth', status: 401, code });
      expect(await nativeBody((error as VendorError).response)).toBe(body);
    });
  });
});
