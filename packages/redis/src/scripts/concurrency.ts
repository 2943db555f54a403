import { type LuaScript, luaScript, pickNumbers } from './lua.ts';

/**
 * `triage.concurrency/2` (core's `concurrency-limiter.ts`), line for line, plus **leases**: the
 * slots each client (one store, one lease id) holds are counted in `KEYS[3]`, and the lease expires
 * in `KEYS[2]` unless the client keeps using or refreshing it. A crashed process stops refreshing,
 * so its slots come back to the account after `leaseMs` instead of never.
 *
 * - `ARGV[5]` the lease new slots are counted under (`''`: no leases, the bare step, which the
 *   equivalence test runs); `ARGV[6]` `leaseMs`; `ARGV[7]` the lease of the slot given back;
 *   `ARGV[8]` `waitingMs` (below).
 * - A release of a slot its lease does not hold (the lease expired, Redis lost its data, or the slot
 *   was taken from the local fallback) does not lower `inflight`: the record never counted it, or
 *   already gave it back. It still feeds the limit and hands slots to waiting requests.
 * - A release that `keep`s its slot (the client passed it to its next request) leaves it counted
 *   under its lease, refreshed; a slot its lease does not hold is counted again, since it is in
 *   use.
 * - Two operations of the store's own: `drop` gives back every slot of a lease at once (the store
 *   knows none of them is in use: they were granted by answers that came too late), `touch`
 *   refreshes a lease while its requests run.
 * - **Fair shares**: a lease whose `acquire` or `release` left it wanting more slots than it got
 *   is a waiting client, in `KEYS[4]` (a sorted set of lease id → until when, `ARGV[8]` ms after
 *   it last asked). While another waiting client holds fewer than its fair share (the limit
 *   divided among the waiting clients, this one included, rounded down, at least 1), this client
 *   is granted no slot beyond that share, and the answer carries the share (`share`) so that the
 *   client stops passing slots above it to its own queue; a waiting client with fewer slots than
 *   its share is told so (`belowShare`), so that it asks again though it holds slots. With more
 *   waiting clients than slots, a waiting client with none marks the account (`KEYS[5]`): while
 *   the mark is another's, a client is granted nothing and, if it holds slots, told so
 *   (`starving`), so that it gives one back after its turn (core's `admission.ts`). Without
 *   this, a process that once got the slots keeps passing them to its own queue while others wait
 *   (their polls find none free), and the processes take turns by finishing: one process then
 *   serves every slot on its one thread, and the others' requests wait for seconds.
 */
export const concurrencyScript: LuaScript = luaScript(
  'triage.concurrency/2',
  `
local SHORT_WEIGHT = 0.1
local LONG_WEIGHT = 0.01

local function initial(t)
  return {
    limit = C.initial, inflight = 0, slowStart = C.adaptive, clean = 0, changedAt = t,
    shortLatency = 0, longLatency = 0, ceiling = 0, served = 0, holdUntil = 0,
  }
end

local function clamp(value, s)
  local top = C.max
  if s.ceiling > 0 then top = jsmin(C.max, s.ceiling) end
  return jsmax(C.min, jsmin(top, value))
end

local function adapt(s, inp, before, t)
  if inp.outcome == 'throttled' then
    if inp.inflightAtSend <= 1 then return nil end
    s.slowStart = false
    s.clean = 0
    s.changedAt = t
    local since = jsmax(0, s.served - (inp.servedAtSend or s.served))
    s.limit = clamp(jsmin(s.limit, s.inflight + since), s)
    return 'throttle'
  end
  if inp.outcome ~= 'success' then return nil end
  s.served = s.served + 1
  local latency = jsmax(0, inp.latencyMs)
  if s.longLatency == 0 then
    s.shortLatency = latency
    s.longLatency = latency
  else
    s.shortLatency = s.shortLatency + (latency - s.shortLatency) * SHORT_WEIGHT
    s.longLatency = s.longLatency + (latency - s.longLatency) * LONG_WEIGHT
  end
  if s.shortLatency > C.latencyTolerance * s.longLatency then
    if s.slowStart then
      s.slowStart = false
      s.changedAt = t
    end
    return nil
  end
  if before < s.limit and inp.waiting == 0 then return nil end
  if s.slowStart then
    s.limit = clamp(s.limit + 1, s)
    return 'slow-start'
  end
  s.clean = s.clean + 1
  if s.clean < s.limit or t - s.changedAt < C.probeIntervalMs then return nil end
  s.clean = 0
  s.changedAt = t
  s.limit = clamp(s.limit + 1, s)
  return 'probe'
end

local function step(s, inp, t)
  local previous = s.limit
  local reason = nil
  local want = 0
  if inp.op == 'acquire' then
    want = inp.want
  elseif inp.op == 'ceiling' then
    s.ceiling = jsmax(0, inp.max)
    s.limit = clamp(s.limit, s)
    if s.limit ~= previous then reason = 'server' end
  elseif inp.op == 'hold' then
    if inp['until'] > s.holdUntil then s.holdUntil = inp['until'] end
  else
    local before = s.inflight
    if inp.keep == true then
      want = inp.waiting - 1
    else
      s.inflight = jsmax(0, before - 1)
      want = inp.waiting
    end
    if C.adaptive then reason = adapt(s, inp, before, t) end
  end
  local granted = 0
  while granted < want and s.inflight < s.limit do
    s.inflight = s.inflight + 1
    granted = granted + 1
  end
  local out = {
    granted = granted, limit = s.limit, previous = previous, inflight = s.inflight,
    served = s.served,
  }
  if reason ~= nil and s.limit ~= previous then out.reason = reason end
  if s.holdUntil > t then out.holdUntil = s.holdUntil end
  return out, jsmax(C.ttlMs, s.holdUntil - t)
end

local state, fresh = load(NAME, initial)
if offset ~= 0 and input.op == 'hold' then input['until'] = input['until'] + offset end
local function answer(out)
  if offset ~= 0 and out.holdUntil ~= nil then out.holdUntil = out.holdUntil - offset end
  return enc(out)
end
local lease = ARGV[5]
if lease == '' then
  local out, ttl = step(state, input, now)
  save(NAME, state, ttl)
  return answer(out)
end

local leaseMs = tonumber(ARGV[6])
local from = ARGV[7]
local waitingMs = tonumber(ARGV[8])
if fresh then redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5]) end

-- Slots of expired leases come back: their clients stopped using and refreshing them.
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', num(now))
for _, id in ipairs(expired) do
  state.inflight = jsmax(0, state.inflight - (tonumber(redis.call('HGET', KEYS[3], id)) or 0))
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[4], id)
end

local function held(id) return tonumber(redis.call('HGET', KEYS[3], id)) or 0 end
local function keep(id, n)
  if n > 0 then
    redis.call('HSET', KEYS[3], id, num(n))
    redis.call('ZADD', KEYS[2], num(now + leaseMs), id)
  else
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[2], id)
  end
end

-- Caps what the answer grants this lease at its fair share while another waiting client holds less
-- than its own, and notes whether this lease still waits. Constant work unless this lease would
-- hold more than its share: only then are the other waiting leases' slots looked at (one HMGET).
local function share(out, want)
  local mine = held(lease)
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', num(now))
  local clients = redis.call('ZCARD', KEYS[4])
  if not redis.call('ZSCORE', KEYS[4], lease) then clients = clients + 1 end
  if clients > 1 then
    local fairShare = jsmax(1, math.floor(state.limit / clients))
    if mine + out.granted > fairShare then
      local waiting = redis.call('ZRANGE', KEYS[4], 0, -1)
      local counts = redis.call('HMGET', KEYS[3], unpack(waiting))
      local needy = false
      for i, id in ipairs(waiting) do
        if id ~= lease and (tonumber(counts[i]) or 0) < fairShare then needy = true end
      end
      if needy then
        local allowed = jsmax(0, fairShare - mine)
        if out.granted > allowed then
          state.inflight = state.inflight - (out.granted - allowed)
          out.granted = allowed
          out.inflight = state.inflight
        end
        out.share = fairShare
      end
    end
    -- Still waiting with less than its share, though it holds slots: it will not ask again by
    -- itself until one of them is released, and a slot given back for it would sit idle.
    if out.granted < want and mine + out.granted < fairShare then out.belowShare = true end
  end
  -- Turns, when more clients wait than there are slots (a share of 1 leaves some with none): a
  -- waiting lease with no slot marks the account (KEYS[5], for waitingMs after it last asked).
  -- While the mark is another lease's, this lease is granted nothing (a free slot is the marked
  -- one's), and one that holds slots is told (starving), so that after its turn it gives one back.
  local starving = redis.call('GET', KEYS[5])
  if starving and starving ~= lease then
    if out.granted > 0 then
      state.inflight = state.inflight - out.granted
      out.granted = 0
      out.inflight = state.inflight
    end
    if mine > 0 then out.starving = true end
  elseif out.granted < want and mine + out.granted == 0 then
    redis.call('SET', KEYS[5], lease, 'PX', string.format('%.0f', waitingMs))
  elseif starving == lease and mine + out.granted > 0 then
    redis.call('DEL', KEYS[5])
  end
  if out.granted < want then
    redis.call('ZADD', KEYS[4], num(now + waitingMs), lease)
  else
    redis.call('ZREM', KEYS[4], lease)
  end
end

local out, ttl
if input.op == 'drop' then
  state.inflight = jsmax(0, state.inflight - held(from))
  keep(from, 0)
  redis.call('ZREM', KEYS[4], from)
  if redis.call('GET', KEYS[5]) == from then redis.call('DEL', KEYS[5]) end
  out, ttl = { held = 0, inflight = state.inflight }, C.ttlMs
elseif input.op == 'touch' then
  local n = held(from)
  keep(from, n)
  out, ttl = { held = n, inflight = state.inflight }, C.ttlMs
else
  local want = 0
  if input.op == 'acquire' then
    want = input.want
  elseif input.op == 'release' then
    local n = held(from)
    want = input.waiting
    if input.keep == true then
      if n == 0 then state.inflight = state.inflight + 1 end
      keep(from, jsmax(n, 1))
      want = input.waiting - 1
    elseif n > 0 then
      keep(from, n - 1)
    else
      state.inflight = state.inflight + 1
    end
  end
  out, ttl = step(state, input, now)
  if input.op == 'acquire' or input.op == 'release' then share(out, want) end
  keep(lease, held(lease) + out.granted)
end
save(NAME, state, ttl)
local leaseTtl = string.format('%.0f', jsmax(1, jsmin(math.ceil(jsmax(ttl, leaseMs)), 1e15)))
redis.call('PEXPIRE', KEYS[2], leaseTtl)
redis.call('PEXPIRE', KEYS[3], leaseTtl)
redis.call('PEXPIRE', KEYS[4], leaseTtl)
return answer(out)
`,
);

const NUMBERS = ['initial', 'min', 'max', 'probeIntervalMs', 'latencyTolerance', 'ttlMs'] as const;

/** The numbers the script reads, from the machine's `config`. */
export function concurrencyConfig(config: unknown): object | undefined {
  const numbers = pickNumbers(config, NUMBERS);
  const adaptive = (config as { adaptive?: unknown } | undefined)?.adaptive;
  if (numbers === undefined || typeof adaptive !== 'boolean') return undefined;
  return { adaptive, ...numbers };
}
