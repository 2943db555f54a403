/**
 * A vendor's code table as data without a prototype. Codes are looked up by what a response
 * says (`table[code]`), and a response may say `constructor`, `toString` or `__proto__`: on a
 * plain object those find `Object.prototype`'s members instead of no row, and the classification
 * would come out without a category. Frozen: a table is data, never changed at run time.
 *
 * @example
 * ```ts
 * const codes: CodeTable = codeTable({ RATE: { category: 'retryable', reason: 'docs: rate limit' } });
 * codes.constructor; // undefined
 * ```
 */
export function codeTable<T>(rows: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, rows));
}
