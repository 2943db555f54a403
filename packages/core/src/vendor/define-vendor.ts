import { findNetworkFailure } from '../classify/network-errors.ts';
import { ruleForStatus, STATUS_RULES } from '../classify/status-rules.ts';
import type { Classification, Effect } from '../types/classification.ts';
import type { ClassifyInput, FailureInput, ResponseInput } from '../types/input.ts';
import { isResponseInput } from '../types/input.ts';
import type {
  CodeRule,
  CodeTable,
  Detection,
  Overrides,
  ProfileClassifyOptions,
  ResponseView,
  VendorProfile,
  VendorSpec,
} from '../types/vendor.ts';
import { createResponseView } from '../utils/body.ts';
import { redactText } from '../utils/redact.ts';
import { parseRetryAfter } from '../utils/retry-after.ts';

type Rule = Omit<CodeRule, 'when'>;

const PROFILE_BRAND: unique symbol = Symbol.for('triage.VendorProfile') as never;

function defaultEffect(rule: Rule, vendorEffect: Effect | undefined): Effect {
  if (rule.effect !== undefined) return rule.effect;
  if (vendorEffect !== undefined) return vendorEffect;
  return rule.category === 'validation' || rule.category === 'auth' ? 'none' : 'unknown';
}

/** A row of the table, read as an own property: a response may name `constructor` or `__proto__`. */
function rowOf(table: CodeTable, code: string): CodeRule | readonly CodeRule[] | undefined {
  return Object.hasOwn(table, code) ? table[code] : undefined;
}

function pickRule(table: CodeTable, detection: Detection): CodeRule | undefined {
  const entry = rowOf(table, String(detection.code));
  if (entry === undefined) return undefined;
  const variants: readonly CodeRule[] = Array.isArray(entry) ? entry : [entry as CodeRule];
  for (const variant of variants) {
    if (variant.when === undefined) return variant;
    try {
      if (variant.when(detection)) return variant;
    } catch {
      // A predicate that throws on odd input simply does not match.
    }
  }
  return undefined;
}

function applyOverrides(table: CodeTable, overrides: Overrides): CodeTable {
  // No prototype, so codes named like Object.prototype members are just unknown codes.
  const next: Record<string, CodeRule | readonly CodeRule[]> = Object.assign(
    Object.create(null),
    table,
  );
  for (const [code, override] of Object.entries(overrides)) {
    const patch = typeof override === 'string' ? { category: override } : override;
    const current = rowOf(table, code);
    const base: CodeRule | undefined = Array.isArray(current)
      ? undefined
      : (current as CodeRule | undefined);
    // An override replaces every variant: the user has decided what this code means.
    next[code] = {
      reason: 'overridden by the caller',
      ...base,
      category: patch.category ?? base?.category ?? 'fatal',
      ...patch,
      when: undefined,
    } as CodeRule;
  }
  return next;
}

function fromRule(
  vendor: string,
  rule: Rule,
  vendorEffect: Effect | undefined,
  parts: {
    code?: string | number;
    message: string;
    status?: number;
    retryAfterMs?: number;
    fields?: Classification['fields'];
  },
): Classification {
  const result: Classification = {
    vendor,
    category: rule.category,
    message: parts.message,
    fields: parts.fields ?? [],
    effect: defaultEffect(rule, vendorEffect),
    source: 'response',
    reason: rule.reason,
  };
  if (parts.code !== undefined) result.code = parts.code;
  if (parts.status !== undefined) result.status = parts.status;
  if (parts.retryAfterMs !== undefined) result.retryAfterMs = parts.retryAfterMs;
  if (rule.category === 'auth') result.refreshable = rule.refreshable === true;
  if (rule.throttle === true) result.throttle = true;
  if (rule.retry !== undefined) result.retry = { ...rule.retry };
  return result;
}

function statusText(status: number): string {
  return `HTTP ${status}`;
}

function classifyFailure(vendor: string, input: FailureInput): Classification {
  const failure = findNetworkFailure(input.error);
  if (failure === undefined) {
    const message = redactText(safeMessage(input.error));
    return {
      vendor,
      category: 'fatal',
      message,
      fields: [],
      effect: 'unknown',
      source: 'network',
      reason: 'not a known network failure',
    };
  }
  return {
    vendor,
    category: 'retryable',
    code: failure.code,
    message: redactText(failure.message) || failure.rule.reason,
    fields: [],
    effect: failure.rule.effect,
    source: failure.rule.timeout === true ? 'timeout' : 'network',
    reason: failure.rule.reason,
  };
}

function safeMessage(error: unknown): string {
  try {
    if (error instanceof Error) return error.message || error.name;
    return typeof error === 'string' ? error : 'request failed';
  } catch {
    return 'request failed';
  }
}

/**
 * Turns a vendor's knowledge (a code table and a detector) into a profile that classifies.
 *
 * What the detector finds is looked up in the table; a code missing from the table is classified
 * by HTTP status with the vendor's name and code kept; a response the detector does not recognise
 * falls back to the generic HTTP rules.
 *
 * @example
 * ```ts
 * const acme = defineVendor({
 *   name: 'acme',
 *   codes: { RATE: { category: 'retryable', throttle: true, effect: 'none', reason: 'docs: rate limit' } },
 *   detect: (res) => {
 *     const body = res.json() as { err?: { id?: string; text?: string } } | undefined;
 *     return body?.err?.id ? { code: body.err.id, message: body.err.text } : undefined;
 *   },
 * });
 * ```
 */
export function defineVendor(spec: VendorSpec): VendorProfile {
  return buildProfile(spec, spec.codes ?? {});
}

function buildProfile(spec: VendorSpec, codes: CodeTable): VendorProfile {
  const statuses = { ...STATUS_RULES, ...spec.statuses } as typeof STATUS_RULES;
  const name = spec.name;

  function detect(view: ResponseView): Detection | undefined {
    if (spec.detect === undefined) return undefined;
    try {
      const found = spec.detect(view);
      if (found === undefined || found === null) return undefined;
      if (typeof found.code !== 'string' && typeof found.code !== 'number') return undefined;
      return found;
    } catch {
      return undefined;
    }
  }

  function classifyResponse(
    input: ResponseInput,
    options: ProfileClassifyOptions | undefined,
  ): Classification | undefined {
    const view = createResponseView(input, options?.maxBytes);
    // Read only for a failure: a success (most responses) has nothing to wait for.
    const headerWait = (): number | undefined =>
      parseRetryAfter(view.header('retry-after'), options?.now ?? Date.now());
    const detection = detect(view);
    if (detection !== undefined) {
      const message =
        typeof detection.message === 'string' && detection.message !== ''
          ? detection.message
          : statusText(input.status);
      const retryAfterMs = detection.retryAfterMs ?? headerWait();
      const rule = pickRule(codes, detection);
      const parts = {
        code: detection.code,
        message,
        status: input.status,
        retryAfterMs,
        fields: detection.fields ?? [],
      };
      if (rule !== undefined) return fromRule(name, rule, spec.effect, parts);
      // A known envelope with an unknown code: an error for sure, whatever the status says.
      const byStatus = ruleForStatus(input.status, statuses) ?? {
        category: 'fatal',
        effect: 'unknown',
        reason: 'unknown vendor code on a success status',
      };
      return fromRule(
        name,
        // The vendor-wide effect still holds: CO3 saves nothing on any error, known or new.
        {
          ...byStatus,
          ...(spec.effect === undefined ? {} : { effect: spec.effect }),
          reason: `unknown ${name} code; ${byStatus.reason}`,
        },
        undefined,
        parts,
      );
    }
    if (options?.fallback === false) return undefined;
    const rule = ruleForStatus(input.status, statuses);
    if (rule === undefined) return undefined;
    return fromRule(name, rule, undefined, {
      message: statusText(input.status),
      status: input.status,
      retryAfterMs: headerWait(),
    });
  }

  const profile: VendorProfile & { [PROFILE_BRAND]: true } = {
    [PROFILE_BRAND]: true,
    name,
    codes,
    rate: spec.rate,
    retry: spec.retry,
    classify(input: ClassifyInput, options?: ProfileClassifyOptions): Classification | undefined {
      try {
        if (input === null || typeof input !== 'object') return undefined;
        if (isResponseInput(input)) return classifyResponse(input, options);
        if (!('error' in input) || options?.fallback === false) return undefined;
        return classifyFailure(name, input);
      } catch {
        // Classification must never throw; what cannot be read is classified by what is known.
        return isResponseInput(input) ? fallbackForStatus(name, input.status) : undefined;
      }
    },
    withOverrides(overrides: Overrides): VendorProfile {
      return buildProfile(spec, applyOverrides(codes, overrides));
    },
  };
  return Object.freeze(profile);
}

function fallbackForStatus(vendor: string, status: number): Classification | undefined {
  const rule = ruleForStatus(status);
  return rule === undefined
    ? undefined
    : fromRule(vendor, rule, undefined, { message: statusText(status), status });
}

/** True for a profile made by `defineVendor()`, from any copy of this package. */
export function isVendorProfile(value: unknown): value is VendorProfile {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[PROFILE_BRAND] === true
  );
}
