import { type LuaScript, luaScript, pickNumbers } from './lua.ts';

/**
 * `triage.breaker/1` (core's `circuit-breaker.ts`), line for line: a sliding window counter of
 * failures, open and half-open. Every time it answers is relative (`retryAfterMs`), so nothing is
 * moved between clocks.
 */
export const breakerScript: LuaScript = luaScript(
  'triage.breaker/1',
  `
local function roll(s, t)
  local elapsed = t - s.windowStart
  if elapsed < C.windowMs then return end
  if elapsed < 2 * C.windowMs then
    s.previousFailures = s.failures
    s.previousTotal = s.total
    s.windowStart = s.windowStart + C.windowMs
  else
    s.previousFailures = 0
    s.previousTotal = 0
    s.windowStart = t
  end
  s.failures = 0
  s.total = 0
end

local function reset(s, t)
  s.windowStart = t
  s.failures = 0
  s.total = 0
  s.previousFailures = 0
  s.previousTotal = 0
end

local function open(s, t, openMs)
  s.state = 'open'
  s.openMs = jsmin(C.maxOpenMs, openMs)
  s.openUntil = t + s.openMs
  s.probeUntil = 0
  reset(s, t)
end

local function weighted(s, t)
  local overlap = jsmax(0, 1 - (t - s.windowStart) / C.windowMs)
  local requests = s.total + s.previousTotal * overlap
  local failures = s.failures + s.previousFailures * overlap
  local ratio = 0
  if requests ~= 0 then ratio = failures / requests end
  return ratio, requests
end

local function initial(t)
  return {
    state = 'closed', windowStart = t, failures = 0, total = 0, previousFailures = 0,
    previousTotal = 0, openUntil = 0, openMs = C.openMs, probeUntil = 0,
  }
end

local function step(s, inp, t)
  local previous = s.state
  if s.state == 'closed' then roll(s, t) end
  local allowed = true
  local probe = false
  local retryAfterMs = 0
  if inp.op == 'admit' then
    if s.state == 'open' and t >= s.openUntil then s.state = 'half-open' end
    if s.state == 'open' then
      allowed = false
      retryAfterMs = s.openUntil - t
    elseif s.state == 'half-open' then
      if t >= s.probeUntil then
        probe = true
        s.probeUntil = t + C.probeTimeoutMs
      else
        allowed = false
        retryAfterMs = s.probeUntil - t
      end
    end
  elseif inp.op == 'cancel' then
    if inp.probe and s.state == 'half-open' then s.probeUntil = 0 end
  elseif s.state == 'closed' then
    s.total = s.total + 1
    if inp.failure then s.failures = s.failures + 1 end
    local ratio, requests = weighted(s, t)
    if requests >= C.minimumRequests and ratio >= C.failureRatio then open(s, t, C.openMs) end
  elseif inp.probe and s.state == 'half-open' then
    if inp.failure then
      open(s, t, s.openMs * 2)
    else
      s.state = 'closed'
      s.openMs = C.openMs
      reset(s, t)
    end
  end
  local ratio, requests = weighted(s, t)
  local ttl
  if s.state == 'closed' then
    ttl = 2 * C.windowMs
  else
    ttl = jsmax(C.ttlMs, jsmax(s.openUntil, s.probeUntil) - t)
  end
  return {
    allowed = allowed, probe = probe, state = s.state, previous = previous,
    retryAfterMs = retryAfterMs, failureRatio = ratio, requests = requests,
  }, ttl
end

local state = load(NAME, initial)
local out, ttl = step(state, input, now)
save(NAME, state, ttl)
return enc(out)
`,
);

/** The numbers the script reads, from the machine's `config` (not `isFailure`: JavaScript decides that). */
export function breakerConfig(config: unknown): object | undefined {
  return pickNumbers(config, [
    'windowMs',
    'minimumRequests',
    'failureRatio',
    'openMs',
    'maxOpenMs',
    'probeTimeoutMs',
    'ttlMs',
  ] as const);
}
