import {
  defineVendor,
  http,
  isVendorError,
  type TriageEvent,
  type VendorError,
} from '@triage/core';
import { createTriageFetch } from '@triage/fetch';
import { startScriptedServer } from '@triage/testing/node';
import { convio, voipnow } from '@triage/vendors';
import { afterAll, describe, expect, test } from 'vitest';
import { drivers } from '../conformance/drivers/index.ts';
import { expectNoSecrets, SECRETS, secretHeaders, withApiKey } from '../support/secret-scan.ts';
import { within } from './support/outcome.ts';

// Guarantees the hardening suite found missing in packages/core; each block says where the core
// keeps the guarantee now.

const server = await startScriptedServer({
  script: (request) => {
    const url = new URL(request.url, 'http://x');
    switch (url.pathname) {
      case '/echo-convio':
        // A vendor that repeats the credential it refused, as some do.
        return {
          status: 403,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            errorResponse: {
              code: '2',
              message: `Incorrect API key: ${url.searchParams.get('api_key')}`,
            },
          }),
        };
      case '/echo-voipnow':
        return {
          status: 401,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            error: {
              code: 'invalid_token',
              message: `Token ${String(request.headers.authorization)} is not valid`,
            },
          }),
        };
      case '/large-error':
        // A vendor error of 400 kB: over the default prefix, under a configured 1 MiB one.
        return {
          status: 401,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            error: { code: 'expired_token', message: `expired ${'x'.repeat(400_000)}` },
          }),
        };
      default:
        return { status: 401, headers: { 'content-type': 'application/json' }, body: '{}' };
    }
  },
});
afterAll(() => server.close());

/**
 * Fix (packages/core/src/vendor/define-vendor.ts): look codes up as own properties only.
 * `pickRule`: `const key = String(detection.code); if (!Object.hasOwn(table, key)) return
 * undefined;`. `applyOverrides`: build `next` on `Object.create(null)` and read `current` with
 * `Object.hasOwn`. The vendors' own tables are prototype-free since this change
 * (packages/vendors/src/shared/code-table.ts), but `withOverrides()` copies them into a plain
 * object, and a user's `defineVendor({ codes: { … } })` is a plain object too.
 */
describe('a code named like an Object.prototype member is an unknown code', () => {
  const body = (code: string) => JSON.stringify({ error: { code, message: 'm' } });
  test.each(['constructor', '__proto__', 'toString'])('after withOverrides(): %s', (code) => {
    const profile = voipnow.withOverrides({ expired_token: 'fatal' });
    const found = profile.classify({ status: 503, body: body(code) });
    expect(found).toMatchObject({ category: 'retryable', code, status: 503 });
  });
  test.each(['constructor', '__proto__', 'toString'])('in a defineVendor() table: %s', (code) => {
    const acme = defineVendor({
      name: 'acme',
      codes: { RATE: { category: 'retryable', throttle: true, reason: 'docs' } },
      detect: (view) => {
        const error = (view.json() as { error?: { code?: string } } | undefined)?.error;
        return error?.code === undefined ? undefined : { code: error.code };
      },
    });
    expect(acme.classify({ status: 400, body: body(code) })).toMatchObject({
      category: 'validation',
      code,
    });
  });
});

/**
 * Fix (packages/core/src/engine/engine.ts): race `options.auth.apply(attemptRequest)` and
 * `refresher.refresh(generation)` against the caller's signal (the `raceAbort` the attempts
 * already use), so that an abort ends a request whose credential hook hangs; ideally also pass
 * the signal to the hooks (`AuthHooks.refresh(signal?)`, `apply(request, signal?)`) so they can
 * stop their own requests.
 */
describe.each(drivers)("the caller's abort during a credential hook: $name", (driver) => {
  test('during auth.refresh()', async () => {
    const client = driver.create({
      vendor: voipnow,
      auth: { refresh: () => new Promise<void>(() => {}) },
    });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const events: TriageEvent[] = [];
    const pending = within(
      client({ url: `${server.url}/expired`, method: 'GET', signal: controller.signal }),
      2_000,
      'abort during refresh',
    );
    // The 401 `{}` is refreshable (HTTP 401): the engine is now inside refresh().
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort(reason);
    const { error } = await pending;
    expect(error).toBe(reason);
    expectNoSecrets({ errors: [error], events });
  });
  test('during auth.apply()', async () => {
    const client = driver.create({
      vendor: http,
      auth: { refresh: async () => {}, apply: () => new Promise<void>(() => {}) },
    });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = within(
      client({ url: `${server.url}/ok`, method: 'GET', signal: controller.signal }),
      2_000,
      'abort during apply',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(reason);
    expect((await pending).error).toBe(reason);
  });
});

/**
 * Fix (packages/core): scrub credentials from every message triage shows.
 * 1. A `redactText(text)` next to `redactUrl` (utils/redact.ts) that replaces each URL in a text
 *    by `redactUrl(url)` and each `name=value` / `name: value` pair whose name
 *    `isSensitiveName()` by `name=[REDACTED]`; applied to `classifyFailure`'s and
 *    `findNetworkFailure`'s messages (a client's error message names the URL: ky's all do, a
 *    custom fetch's may) and to the cause line of `VendorError[util.inspect.custom]`.
 * 2. The engine knows each attempt's credentials after `auth.apply`: the values of sensitive
 *    headers (`Authorization` without its scheme, `Cookie` values, `X-Token`, `X-User-Token`),
 *    of sensitive query parameters, and of sensitive fields of a JSON, form or XML body. Replace
 *    each of them by `[REDACTED]` in the classification's `message` and `fields` before the
 *    `classified` event is emitted and the VendorError is built: a vendor that echoes the
 *    credential it refused ("Incorrect API key: …") must not put it into logs.
 */
describe('credentials in messages', () => {
  test('a client error whose message names the URL and its api_key', async () => {
    const fetch = createTriageFetch({
      vendor: http,
      retry: false,
      fetch: async (input) => {
        throw new Error(`connect ETIMEDOUT while requesting ${String(input)}`);
      },
    });
    const error = await fetch(withApiKey('https://vendor.test/api'), {
      headers: secretHeaders(),
    }).catch((e: unknown) => e);
    expect(isVendorError(error)).toBe(true);
    expectNoSecrets({ errors: [error] });
  });
  test.each(drivers)('a vendor that echoes the api_key: $name', async (driver) => {
    const events: TriageEvent[] = [];
    const client = driver.create({ vendor: convio, onEvent: (e) => events.push(e) });
    const error = await client({
      url: withApiKey(`${server.url}/echo-convio`),
      method: 'POST',
      headers: secretHeaders(),
    }).catch((e: unknown) => e);
    expect((error as VendorError).code).toBe('2');
    expectNoSecrets({ errors: [error], events });
  });
  test.each(drivers)('a vendor that echoes the bearer token: $name', async (driver) => {
    const events: TriageEvent[] = [];
    const client = driver.create({ vendor: voipnow, onEvent: (e) => events.push(e) });
    const error = await client({
      url: `${server.url}/echo-voipnow`,
      method: 'GET',
      headers: { authorization: `Bearer ${SECRETS.bearer}` },
    }).catch((e: unknown) => e);
    expect((error as VendorError).code).toBe('invalid_token');
    expectNoSecrets({ errors: [error], events });
  });
});

/**
 * Fix (packages/core): make the classification prefix configurable end to end. Add
 * `maxClassifyBytes` to `TriageOptions` (default `MAX_CLASSIFY_BYTES`), pass it from the engine's
 * `classify` to `profile.classify(input, { now, maxBytes })` (a new `ProfileClassifyOptions`
 * member), and from there to `createResponseView(input, maxBytes)`. Today `defineVendor` always
 * builds the view with the 256 KiB default, so an adapter's `maxClassifyBytes` above it is cut
 * back silently. (The adapters then read `options.maxClassifyBytes` from the core options.)
 */
describe.each(drivers)('maxClassifyBytes above 256 KiB is honored: $name', (driver) => {
  test('a 400 kB vendor error is read whole with a 1 MiB limit', async () => {
    const client = driver.create({
      vendor: voipnow,
      retry: false,
      maxClassifyBytes: 1024 * 1024,
    });
    const error = await client({ url: `${server.url}/large-error`, method: 'GET' }).catch(
      (e: unknown) => e,
    );
    expect((error as VendorError).code).toBe('expired_token');
  });
});
