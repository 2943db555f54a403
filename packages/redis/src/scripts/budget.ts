import { type LuaScript, luaScript, pickNumbers } from './lua.ts';

/** `triage.budget/1` (core's `retry-budget.ts`), line for line: a token bucket. */
export const budgetScript: LuaScript = luaScript(
  'triage.budget/1',
  `
local function initial() return { tokens = C.capacity } end

local function step(s, inp)
  local granted = false
  if inp.op == 'withdraw' then
    granted = s.tokens >= inp.cost
    if granted then s.tokens = s.tokens - inp.cost end
  else
    s.tokens = jsmin(C.capacity, s.tokens + jsmax(0, inp.amount))
  end
  return { granted = granted, tokens = s.tokens }, C.ttlMs
end

local state = load(NAME, initial)
local out, ttl = step(state, input)
save(NAME, state, ttl)
return enc(out)
`,
);

/** The numbers the script reads, from the machine's `config`. */
export function budgetConfig(config: unknown): object | undefined {
  return pickNumbers(config, [
    'capacity',
    'retryCost',
    'timeoutCost',
    'successRefill',
    'ttlMs',
  ] as const);
}
