import type { ResponseInput } from '@triage/core';
import { fonedynamics } from '@triage/vendors/fonedynamics';
import { describe, expect, it } from 'vitest';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

function send(status: number, body: unknown, headers: ResponseInput['headers'] = JSON_TYPE) {
  return fonedynamics.classify({ status, headers, body, method: 'POST' });
}

describe('fonedynamics success bodies', () => {
  it.each([
    ['an empty ResponseStatus', { Message: { MessageSid: 'MS1' }, ResponseStatus: {} }],
    ['a null ResponseStatus', { Numbers: [], ResponseStatus: null }],
    ['no ResponseStatus', { Numbers: [{ PhoneNumber: '+61255501234' }] }],
    ['a ResponseStatus without ErrorCode', { ResponseStatus: { Message: 'OK', Errors: [] } }],
    ['a blank ErrorCode', { ResponseStatus: { ErrorCode: ' ', Errors: [] } }],
    ['an array', [{ ResponseStatus: { ErrorCode: 'FORBIDDEN' } }]],
  ])('%s on HTTP 200 is not an error', (_name, body) => {
    expect(send(200, JSON.stringify(body))).toBeUndefined();
    expect(send(200, body)).toBeUndefined();
  });
});

describe('fonedynamics error bodies', () => {
  it('takes fields from Errors[].FieldName, with their own code and message', () => {
    const body = {
      ResponseStatus: {
        ErrorCode: 'PARAMETER_REQUIRED',
        Message: "'To' is required.",
        Errors: [
          { ErrorCode: 'PARAMETER_REQUIRED', FieldName: 'To', Message: "'To' is required." },
          { ErrorCode: 'PARAMETER_TOO_LONG', FieldName: 'Text', Message: 'Text is too long.' },
          { ErrorCode: 'PARAMETER_INVALID', Message: 'no field name: skipped' },
          'not an object',
        ],
      },
    };
    expect(send(400, JSON.stringify(body))).toEqual({
      vendor: 'fonedynamics',
      category: 'validation',
      code: 'PARAMETER_REQUIRED',
      message: "'To' is required.",
      status: 400,
      fields: [
        { name: 'To', code: 'PARAMETER_REQUIRED', message: "'To' is required." },
        { name: 'Text', code: 'PARAMETER_TOO_LONG', message: 'Text is too long.' },
      ],
      effect: 'none',
      source: 'response',
      reason: '"A required parameter is missing." (page): the name is in Errors[].FieldName',
    });
  });

  it.each([
    ['commas', 'Region,Locality,Postcode'],
    ['commas and spaces', 'Region, Locality, Postcode'],
    ['pipes', 'Region|Locality|Postcode'],
    ['"or"', 'Region or Locality or Postcode'],
    ['slashes and semicolons', 'Region/Locality;Postcode'],
  ])(
    'splits the concatenated names of ONE_OF_SEVERAL_PARAMETERS_REQUIRED joined by %s',
    (_n, names) => {
      const message = 'At least one of Region, Locality, Postcode is required.';
      const body = {
        ResponseStatus: {
          ErrorCode: 'ONE_OF_SEVERAL_PARAMETERS_REQUIRED',
          Message: message,
          Errors: [{ FieldName: names, Message: message }],
        },
      };
      expect(send(400, body)?.fields).toEqual([
        { name: 'Region', message },
        { name: 'Locality', message },
        { name: 'Postcode', message },
      ]);
    },
  );

  it('does not split the field name of other codes', () => {
    const body = {
      ResponseStatus: {
        ErrorCode: 'PARAMETER_INVALID',
        Errors: [{ ErrorCode: 'PARAMETER_INVALID', FieldName: 'Webhook Uri' }],
      },
    };
    expect(send(400, body)?.fields).toEqual([{ name: 'Webhook Uri', code: 'PARAMETER_INVALID' }]);
  });

  it('reads a camelCase envelope (a ServiceStack host configured so)', () => {
    const body = {
      responseStatus: {
        errorCode: 'NUMBER_NOT_FOUND',
        message: 'Number not found.',
        errors: [{ fieldName: 'PhoneNumber', errorCode: 'NUMBER_NOT_FOUND' }],
      },
    };
    expect(send(400, body)).toMatchObject({
      category: 'validation',
      code: 'NUMBER_NOT_FOUND',
      message: 'Number not found.',
      fields: [{ name: 'PhoneNumber', code: 'NUMBER_NOT_FOUND' }],
    });
  });

  it('FORBIDDEN is denied on 403; another 403 code is a state to change', () => {
    const forbidden = { ResponseStatus: { ErrorCode: 'FORBIDDEN', Message: 'Forbidden.' } };
    expect(send(403, forbidden)).toMatchObject({
      category: 'auth',
      refreshable: false,
      effect: 'none',
    });
    const state = { ResponseStatus: { ErrorCode: 'NUMBER_IN_USE', Message: 'In use.' } };
    expect(send(403, state)).toMatchObject({
      category: 'validation',
      code: 'NUMBER_IN_USE',
      effect: 'none',
    });
  });

  it('finds the envelope whatever the content type says', () => {
    const body = '{"ResponseStatus":{"ErrorCode":"CALL_NOT_FOUND","Message":"Call not found."}}';
    for (const headers of [JSON_TYPE, { 'content-type': 'text/plain' }, undefined]) {
      expect(send(400, body, headers)).toMatchObject({
        category: 'validation',
        code: 'CALL_NOT_FOUND',
      });
    }
  });
});

describe('fonedynamics malformed responses fall back to the HTTP status', () => {
  it.each([
    [
      'an nginx 502 page',
      502,
      '<html><head><title>502 Bad Gateway</title></head></html>',
      { 'content-type': 'text/html' },
      'retryable',
      'unknown',
    ],
    [
      'truncated JSON on 500',
      500,
      '{"ResponseStatus":{"ErrorCode":"NullRef',
      JSON_TYPE,
      'retryable',
      'unknown',
    ],
    ['an empty body on 500', 500, '', JSON_TYPE, 'retryable', 'unknown'],
    ['an empty body on 401', 401, '', undefined, 'auth', 'none'],
    [
      'an HTML 403 from a firewall',
      403,
      '<html><body>Access Denied</body></html>',
      { 'content-type': 'text/html' },
      'validation',
      'none',
    ],
    [
      'an empty ResponseStatus on 400',
      400,
      '{"ResponseStatus":{}}',
      JSON_TYPE,
      'validation',
      'none',
    ],
  ] as const)('%s', (_name, status, body, headers, category, effect) => {
    const result = send(status, body, headers);
    expect(result).toMatchObject({
      vendor: 'fonedynamics',
      category,
      effect,
      source: 'response',
      status,
      message: `HTTP ${status}`,
      fields: [],
    });
    expect(result).not.toHaveProperty('code');
  });

  it('401 is denied: the Basic credentials are static', () => {
    expect(send(401, '')).toMatchObject({ category: 'auth', refreshable: false });
  });
});
