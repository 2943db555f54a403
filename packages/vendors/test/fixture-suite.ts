import type { Classification, VendorProfile } from '@triage/core';
import { describe, expect, it } from 'vitest';
import { loadFixtures } from './fixture.ts';

/** What a fixture must classify as, less what every classification of the profile shares. */
export type FixtureExpectation = Omit<Classification, 'vendor' | 'source' | 'reason'> | undefined;

function parsedOrText(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * Classifies every fixture of `fixtures/<vendor>` as sent (text) and as a client that parses JSON
 * hands it over (axios), against `expected`; a fixture without an expectation fails.
 * Used by the simplybook, voipnow and fonedynamics tests alike.
 */
export function describeFixtures(
  profile: VendorProfile,
  method: string,
  expected: Record<string, FixtureExpectation>,
): void {
  const fixtures = loadFixtures(profile.name);

  describe(`${profile.name} fixtures`, () => {
    it('has an expectation for every fixture and a fixture for every expectation', () => {
      expect(fixtures.map((f) => f.name).sort()).toEqual(Object.keys(expected).sort());
    });

    describe.each(fixtures)('$name', (fixture) => {
      it('classifies as recorded, from text and from a parsed body', () => {
        const input = { status: fixture.status, headers: fixture.headers, method };
        const results = [fixture.body, parsedOrText(fixture.body)].map((body) =>
          profile.classify({ ...input, body }),
        );
        const want = expected[fixture.name];
        for (const result of results) {
          if (want === undefined) {
            expect(result).toBeUndefined();
            continue;
          }
          const { reason, ...rest } = result ?? { reason: undefined };
          expect(rest).toEqual({ vendor: profile.name, source: 'response', ...want });
          expect(reason).toMatch(/\S/);
        }
      });
    });
  });
}
