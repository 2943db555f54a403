import { type Category, type EventListener, isVendorError, type TriageEvent } from '@triage/core';
import type { Style } from './style.ts';

/** What the tour counts, per client and vendor. */
export interface Tally {
  label: string;
  requests: number;
  attempts: number;
  retries: number;
  refreshes: number;
  failures: Record<Category, number>;
  ms: number;
}

export function emptyTally(label: string): Tally {
  return {
    label,
    requests: 0,
    attempts: 0,
    retries: 0,
    refreshes: 0,
    failures: { retryable: 0, auth: 0, validation: 0, fatal: 0 },
    ms: 0,
  };
}

function truncate(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Prints each request's life: every attempt's classification, the wait before the next one,
 * credential refreshes, and the outcome. A request's listener is given to the client per request
 * (`triage: { onEvent }`), so concurrent requests keep their own lines.
 */
export class Trace {
  readonly #write: (line: string) => void;
  readonly #style: Style;
  readonly #tally: Tally;

  constructor(write: (line: string) => void, style: Style, tally: Tally) {
    this.#write = write;
    this.#style = style;
    this.#tally = tally;
  }

  #describe(event: TriageEvent): string | undefined {
    const s = this.#style;
    switch (event.type) {
      case 'classified': {
        const c = event.classification;
        const code =
          c.code === undefined
            ? `HTTP ${c.status ?? '—'}`
            : `${c.code} ${s.dim(truncate(c.message))}`;
        const auth =
          c.category === 'auth' ? (c.refreshable === true ? ', refreshable' : ', denied') : '';
        const colour =
          c.category === 'retryable' ? s.yellow : c.category === 'auth' ? s.cyan : s.red;
        return `    #${event.attempt} ${code} → ${colour(c.category)}${auth} ${s.dim(`(effect ${c.effect})`)}`;
      }
      case 'retry':
        this.#tally.retries++;
        return `       ${s.dim(`wait ${event.delayMs} ms (${event.reason}), then attempt ${event.attempt + 1}`)}`;
      case 'auth-refresh':
        if (event.outcome === 'refreshed') this.#tally.refreshes++;
        return `       ${s.cyan(`credentials ${event.outcome}`)}, one more attempt`;
      case 'give-up':
        return `       ${s.red(`stop: ${event.reason}`)}`;
      case 'recovered':
        return `       ${s.green(`recovered at attempt ${event.attempt} after ${event.elapsedMs} ms`)}`;
      case 'rate': {
        const [first] = event.rates;
        const per = first === undefined ? '' : `${first.requests} per ${first.perMs} ms`;
        const from = event.source === 'throttles' ? 'discovered from throttles' : 'advertised';
        return `       ${s.cyan(`pace the account at ${per}`)} ${s.dim(`(${from})`)}`;
      }
      case 'hold':
        return `       ${s.cyan(`hold the account ${event.delayMs} ms`)} ${s.dim(`(${event.reason})`)}`;
      default:
        return undefined;
    }
  }

  /**
   * Runs `count` requests at once and prints what the account's limits decided for all of them
   * (rates and holds), then one line for the lot: a burst has no room for each request's life.
   */
  async burst(
    title: string,
    count: number,
    request: (index: number, onEvent: EventListener) => Promise<unknown>,
  ): Promise<void> {
    const s = this.#style;
    this.#write(`  ${s.bold('▸')} ${title}`);
    const started = performance.now();
    let retries = 0;
    const onEvent: EventListener = (event) => {
      if (event.type === 'retry') retries++;
      if (event.type !== 'rate' && event.type !== 'hold') return;
      const line = this.#describe(event);
      if (line !== undefined) this.#write(line);
    };
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, index) => request(index, onEvent)),
    );
    let failed = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (!isVendorError(result.reason)) throw result.reason;
      failed++;
      this.#tally.failures[result.reason.category]++;
    }
    const ms = performance.now() - started;
    this.#tally.requests += count;
    this.#tally.attempts += count + retries;
    this.#tally.retries += retries;
    this.#tally.ms += ms;
    const mark = failed === 0 ? s.green('✓') : s.red('✗');
    this.#write(
      `    ${mark} ${count - failed} of ${count} in ${Math.round(ms)} ms, ${retries} throttled attempts retried`,
    );
  }

  /**
   * Runs one request of the tour. `live` prints as events happen; otherwise the request's lines
   * are printed together when it ends (for requests running at the same time).
   */
  async run(
    title: string,
    request: (onEvent: EventListener) => Promise<string>,
    live = true,
  ): Promise<void> {
    const s = this.#style;
    const lines: string[] = [];
    const emit = (line: string): void => {
      if (live) this.#write(line);
      else lines.push(line);
    };
    let attempts = 1;
    this.#tally.requests++;
    emit(`  ${s.bold('▸')} ${title}`);
    const started = performance.now();
    try {
      const result = await request((event) => {
        if (event.type === 'recovered') attempts = event.attempt;
        const line = this.#describe(event);
        if (line !== undefined) emit(line);
      });
      emit(`    ${s.green('✓')} ${result}`);
    } catch (error) {
      if (!isVendorError(error)) throw error;
      this.#tally.failures[error.category]++;
      attempts = error.attempts;
      const code = error.code === undefined ? `HTTP ${error.status}` : String(error.code);
      const fields =
        error.fields.length > 0 ? `, fields: ${error.fields.map((f) => f.name).join(', ')}` : '';
      emit(
        `    ${s.red('✗')} VendorError ${error.vendor} ${code}: ${error.category}, effect ${error.effect}${fields}`,
      );
    } finally {
      this.#tally.attempts += attempts;
      this.#tally.ms += performance.now() - started;
      for (const line of lines) this.#write(line);
    }
  }
}
