import { type LuaScript, luaScript, pickNumbers } from './lua.ts';

/**
 * `triage.pace/1` (core's `rate-pacer.ts`), line for line: the sliding window log as a ring of
 * start times (1-based in Lua, the same `head` as in JavaScript). Absolute times cross the
 * boundary on the caller's clock: a hold's `until` comes in, `at` and `holdUntil` go out, each
 * moved by `offset` when the script keeps time by the server's `TIME`.
 */
export const paceScript: LuaScript = luaScript(
  'triage.pace/1',
  `
local MAX_PACE_LOG = 10000

local function window(spec)
  local requests = jsmax(1, math.floor(spec.requests))
  local count = jsmin(requests, MAX_PACE_LOG)
  local ms = math.ceil(((spec.perMs * count) / requests) * (1 + C.margin))
  return { count = count, ms = ms }
end

local fixed = {}
for i, spec in ipairs(C.rates) do fixed[i] = window(spec) end

local function initial()
  return { log = arr({}), head = 0, capacity = 0, holdUntil = 0, learned = arr({}), learnedUntil = 0 }
end

local function sameRates(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do
    if a[i].requests ~= b[i].requests or a[i].perMs ~= b[i].perMs then return false end
  end
  return true
end

local function windowsAt(s, t)
  if s.learnedUntil <= t or #s.learned == 0 then return fixed end
  local all = {}
  for i, w in ipairs(fixed) do all[i] = w end
  for _, spec in ipairs(s.learned) do all[#all + 1] = window(spec) end
  return all
end

local function resize(s, capacity)
  if s.capacity == capacity then return end
  local size = #s.log
  local ordered = arr({})
  for i = jsmax(0, size - capacity), size - 1 do
    ordered[#ordered + 1] = s.log[((s.head + i) % size) + 1]
  end
  s.log = ordered
  s.head = 0
  s.capacity = capacity
end

local function record(s, at)
  if #s.log < s.capacity then
    s.log[#s.log + 1] = at
    return
  end
  s.log[s.head + 1] = at
  s.head = (s.head + 1) % s.capacity
end

local function take(s, maxWaitMs, t, out)
  local at = t
  if s.holdUntil > at then
    at = s.holdUntil
    out.reason = 'hold'
  end
  local windows = windowsAt(s, t)
  if #windows > 0 then
    local capacity = 0
    for _, w in ipairs(windows) do capacity = jsmax(capacity, w.count) end
    resize(s, capacity)
    local size = #s.log
    local last = at
    if size > 0 then last = s.log[((s.head + size - 1) % size) + 1] end
    if last > at then
      at = last
      if out.reason == nil then out.reason = 'rate' end
    end
    for _, w in ipairs(windows) do
      if size >= w.count then
        local earliest = s.log[((s.head + size - w.count) % size) + 1] + w.ms
        if earliest > at then
          at = earliest
          out.reason = 'rate'
        end
      end
    end
  end
  out.at = at
  if at > t and at - t > maxWaitMs then
    out.reserved = false
  elseif #windows > 0 then
    record(s, at)
  end
end

local function ttl(s, t)
  local size = #s.log
  local widest = 0
  for _, w in ipairs(windowsAt(s, t)) do widest = jsmax(widest, w.ms) end
  local last = t
  if size > 0 then last = s.log[((s.head + size - 1) % size) + 1] end
  return jsmax(jsmax(jsmax(C.ttlMs, s.holdUntil - t), s.learnedUntil - t), last + widest - t)
end

local function step(s, inp, t)
  local out = { at = t, reserved = true, holdUntil = s.holdUntil, changed = false }
  if inp.op == 'hold' then
    out.changed = inp['until'] > s.holdUntil
    if out.changed then s.holdUntil = inp['until'] end
  elseif inp.op == 'learn' then
    local active = {}
    if s.learnedUntil > t then active = s.learned end
    out.changed = not sameRates(active, inp.rates)
    local learned = arr({})
    for i, r in ipairs(inp.rates) do learned[i] = { requests = r.requests, perMs = r.perMs } end
    s.learned = learned
    s.learnedUntil = t + C.ttlMs
  else
    take(s, inp.maxWaitMs, t, out)
  end
  out.holdUntil = s.holdUntil
  return out, ttl(s, t)
end

local state = load(NAME, initial)
arr(state.log)
arr(state.learned)
if offset ~= 0 and input.op == 'hold' then input['until'] = input['until'] + offset end
local out, t = step(state, input, now)
save(NAME, state, t)
if offset ~= 0 then
  out.at = out.at - offset
  out.holdUntil = out.holdUntil - offset
end
return enc(out)
`,
);

/** The numbers the script reads, from the machine's `config`. */
export function paceConfig(config: unknown): object | undefined {
  const numbers = pickNumbers(config, ['margin', 'ttlMs'] as const);
  const rates = (config as { rates?: unknown } | undefined)?.rates;
  if (numbers === undefined || !Array.isArray(rates)) return undefined;
  const copied: { requests: number; perMs: number }[] = [];
  for (const rate of rates as unknown[]) {
    const spec = pickNumbers(rate, ['requests', 'perMs'] as const);
    if (spec === undefined) return undefined;
    copied.push(spec);
  }
  return { rates: copied, ...numbers };
}
