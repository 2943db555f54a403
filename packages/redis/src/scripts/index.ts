import { breakerConfig, breakerScript } from './breaker.ts';
import { budgetConfig, budgetScript } from './budget.ts';
import { concurrencyConfig, concurrencyScript } from './concurrency.ts';
import type { LuaScript } from './lua.ts';
import { paceConfig, paceScript } from './pace.ts';

/** A machine's script and the part of its config the script reads. */
export interface ScriptEntry {
  readonly script: LuaScript;
  config(config: unknown): object | undefined;
}

/**
 * The scripts by machine name. A machine of another name or version (a custom one, or a newer
 * core) has no script: the store keeps its records in the local fallback.
 */
export const SCRIPTS: ReadonlyMap<string, ScriptEntry> = new Map<string, ScriptEntry>([
  [concurrencyScript.machine, { script: concurrencyScript, config: concurrencyConfig }],
  [paceScript.machine, { script: paceScript, config: paceConfig }],
  [budgetScript.machine, { script: budgetScript, config: budgetConfig }],
  [breakerScript.machine, { script: breakerScript, config: breakerConfig }],
]);
