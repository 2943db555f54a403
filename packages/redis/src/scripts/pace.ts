import { type LuaScript, luaScript, pickNumbers } from './lua.ts';

/**
 * `triage.pace/2` (core's `rate-pacer.ts`), line for line: the sliding window log as a sorted ring
 * of arrival bounds with their entries' names beside them (1-based in Lua, the same `head` as in
 * JavaScript). Absolute times cross the boundary on the caller's clock: a hold's `until` and a
 * move's `to` come in, `at`, `bound`, `holdUntil` and `learnedAt` go out, each moved by `offset`
 * when the script keeps time by the server's `TIME`. Entries are named by number, not by time, so that a name
 * survives two calls whose offsets differ by a millisecond.
 */
export const paceScript: LuaScript = luaScript(
  'triage.pace/2',
  `
local MAX_PACE_LOG = 10000

local function window(spec)
  local requests = jsmax(1, math.floor(spec.requests))
  local count = jsmin(requests, MAX_PACE_LOG)
  local ms = math.ceil((spec.perMs * count) / requests)
  return { count = count, ms = ms }
end

local fixed = {}
for i, spec in ipairs(C.rates) do fixed[i] = window(spec) end

local function initial()
  return {
    log = arr({}), ids = arr({}), head = 0, seq = 0, capacity = 0, last = 0, holdUntil = 0,
    learned = arr({}), learnedUntil = 0,
  }
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
  local log = arr({})
  local ids = arr({})
  for i = jsmax(0, size - capacity), size - 1 do
    log[#log + 1] = s.log[((s.head + i) % size) + 1]
    ids[#ids + 1] = s.ids[((s.head + i) % size) + 1]
  end
  s.log = log
  s.ids = ids
  s.head = 0
  s.capacity = capacity
end

-- Restores the order around logical position i (0-based), the only entry out of place.
local function sift(s, i)
  local log, ids = s.log, s.ids
  local size = #log
  local function slot(k) return ((s.head + k) % size) + 1 end
  local function swap(a, b)
    log[a], log[b] = log[b], log[a]
    ids[a], ids[b] = ids[b], ids[a]
  end
  local k = i
  while k > 0 and log[slot(k - 1)] > log[slot(k)] do
    swap(slot(k - 1), slot(k))
    k = k - 1
  end
  while k < size - 1 and log[slot(k + 1)] < log[slot(k)] do
    swap(slot(k + 1), slot(k))
    k = k + 1
  end
end

local function insert(s, value, id)
  local size = #s.log
  if size < s.capacity then
    s.log[size + 1] = value
    s.ids[size + 1] = id
    size = size + 1
  else
    s.log[s.head + 1] = value
    s.ids[s.head + 1] = id
    s.head = (s.head + 1) % size
  end
  sift(s, size - 1)
end

local function move(s, id, to)
  local size = #s.log
  for i = size - 1, 0, -1 do
    local at = ((s.head + i) % size) + 1
    if s.ids[at] == id then
      s.log[at] = to
      sift(s, i)
      return true
    end
  end
  return false
end

local function take(s, maxWaitMs, t, out)
  local at = t
  if s.holdUntil > at then
    at = s.holdUntil
    out.reason = 'hold'
  end
  local windows = windowsAt(s, t)
  local slack = 0
  if #windows > 0 then
    local capacity = 0
    local shortest = math.huge
    for _, w in ipairs(windows) do
      capacity = jsmax(capacity, w.count)
      shortest = jsmin(shortest, w.ms)
    end
    slack = math.ceil(shortest * C.margin)
    resize(s, capacity)
    if s.last > at then
      at = s.last
      if out.reason == nil then out.reason = 'rate' end
    end
    local size = #s.log
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
    s.last = at
    s.seq = s.seq + 1
    out.entry = s.seq
    out.bound = at + slack
    insert(s, at + slack, s.seq)
  end
end

local function ttl(s, t)
  local size = #s.log
  local widest = 0
  for _, w in ipairs(windowsAt(s, t)) do widest = jsmax(widest, w.ms) end
  local newest = t
  if size > 0 then newest = s.log[((s.head + size - 1) % size) + 1] end
  return jsmax(
    jsmax(jsmax(C.ttlMs, s.holdUntil - t), s.learnedUntil - t),
    jsmax(newest, s.last) + widest - t
  )
end

local function step(s, inp, t)
  local out = { at = t, reserved = true, holdUntil = s.holdUntil, changed = false }
  if inp.op == 'take' then
    take(s, inp.maxWaitMs, t, out)
  elseif inp.op == 'move' then
    out.changed = move(s, inp.entry, inp.to)
  elseif inp.op == 'hold' then
    out.changed = inp['until'] > s.holdUntil
    if out.changed then s.holdUntil = inp['until'] end
  else
    local active = {}
    if s.learnedUntil > t then active = s.learned end
    if inp.ifRates == nil or sameRates(active, inp.ifRates) then
      out.changed = not sameRates(active, inp.rates)
      local learned = arr({})
      for i, r in ipairs(inp.rates) do learned[i] = { requests = r.requests, perMs = r.perMs } end
      s.learned = learned
      s.learnedUntil = t + C.ttlMs
    end
  end
  out.holdUntil = s.holdUntil
  if (inp.op == 'take' or inp.op == 'learn') and s.learnedUntil > t and #s.learned > 0 then
    local copy = arr({})
    for i, r in ipairs(s.learned) do copy[i] = { requests = r.requests, perMs = r.perMs } end
    out.learned = copy
    out.learnedAt = s.learnedUntil - C.ttlMs
  end
  return out, ttl(s, t)
end

local state = load(NAME, initial)
arr(state.log)
arr(state.ids)
arr(state.learned)
if offset ~= 0 then
  if input.op == 'hold' then input['until'] = input['until'] + offset end
  if input.op == 'move' then input.to = input.to + offset end
end
local out, t = step(state, input, now)
save(NAME, state, t)
if offset ~= 0 then
  out.at = out.at - offset
  out.holdUntil = out.holdUntil - offset
  if out.bound ~= nil then out.bound = out.bound - offset end
  if out.learnedAt ~= nil then out.learnedAt = out.learnedAt - offset end
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
