import { createHash } from 'node:crypto';

/**
 * The Lua scripts of the Redis store, one per kind of state. Each runs atomically on the server,
 * reads the time from Redis `TIME` (never a client's clock) and names every key it touches in
 * `KEYS`, all under the prefix's hash tag, so one Cluster slot holds a prefix's whole state.
 *
 * A script that adds counts takes an operation id: `SET <marker> NX PX` admits each id once, so a
 * batch sent again after a timeout (it may have run, or not) is never counted twice.
 */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  /** The SHA1 of `source`, as `EVALSHA` wants it. */
  readonly sha1: string;
}

function script(name: string, source: string): LuaScript {
  return Object.freeze({ name, source, sha1: createHash('sha1').update(source).digest('hex') });
}

/** Shared by the scripts: now in ms of server time, and the once-per-id guard. */
const PRELUDE = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function first_time(marker, ttl)
  if ttl == '0' then return true end
  return redis.call('SET', marker, '1', 'NX', 'PX', ttl) ~= false
end
local function slot(letter, slice) return string.format('%s%d', letter, slice) end
-- A window hash of ten slices ending at slice: the sums of its two counters x and y.
local function window(key, x, y, slice)
  local fields = {}
  for i = 0, 9 do
    fields[#fields + 1] = slot(x, slice - i)
    fields[#fields + 1] = slot(y, slice - i)
  end
  local values = redis.call('HMGET', key, unpack(fields))
  local sum_x, sum_y = 0, 0
  for i = 1, #values, 2 do
    sum_x = sum_x + (tonumber(values[i]) or 0)
    sum_y = sum_y + (tonumber(values[i + 1]) or 0)
  end
  return sum_x, sum_y
end
-- Drops the slices that left the window: the one just gone, and any a quiet spell left behind.
local function sweep(key, x, y, slice, ttl)
  redis.call('HDEL', key, slot(x, slice - 10), slot(y, slice - 10))
  if redis.call('HLEN', key) > 24 then
    for _, field in ipairs(redis.call('HKEYS', key)) do
      if tonumber(string.sub(field, 2)) <= slice - 10 then redis.call('HDEL', key, field) end
    end
  end
  redis.call('PEXPIRE', key, string.format('%d', ttl))
end
`;

/**
 * The retry budget's window: ten slices of `windowMs / 10` in one hash, fields `q<slice>`
 * (logical requests) and `r<slice>` (retries granted). Adds a batch of requests (once per id),
 * then, when asked, grants one retry while `retries < reserve + ratio · requests` over the
 * current slice and the nine before it — the in-memory budget's rule, on the fleet's counts.
 *
 * KEYS: budget hash, operation marker.
 * ARGV: sliceMs, reserve, ratio, requests to add, 1 to ask for a retry, marker TTL (0: no id).
 * Returns `{ granted (0|1), requests, retries }`.
 */
export const BUDGET_SCRIPT = script(
  'budget',
  `${PRELUDE}
local key = KEYS[1]
local slice_ms = tonumber(ARGV[1])
local slice = math.floor(now / slice_ms)
local add = tonumber(ARGV[4])
if add > 0 and first_time(KEYS[2], ARGV[6]) then
  redis.call('HINCRBY', key, slot('q', slice), add)
end
local requests, retries = window(key, 'q', 'r', slice)
local granted = 0
if ARGV[5] == '1' and retries < tonumber(ARGV[2]) + tonumber(ARGV[3]) * requests then
  redis.call('HINCRBY', key, slot('r', slice), 1)
  retries = retries + 1
  granted = 1
end
sweep(key, 'q', 'r', slice, slice_ms * 20)
return { granted, requests, retries }
`,
);

/**
 * One scope's circuit: its state in one hash (`state`, `until` in server ms, `break`, probes in
 * flight, probe successes, when half-open began, a version and an incarnation), its window of
 * outcomes in another (`a<slice>` attempts, `f<slice>` failures). Every transition bumps the
 * version and is published on the store's channel with the time left in the break, relative.
 *
 * Operations (ARGV[1]):
 * - `record`: a batch of outcomes of attempts that passed while closed (counted only while still
 *   closed, once per id); opens the circuit when the window holds `minimumThroughput` attempts and
 *   `failures / attempts ≥ failureRatio`.
 * - `acquire`: asks for a probe slot (half-open, fewer than `halfOpenProbes` in flight).
 * - `probe`: a probe's outcome (`failures` 1: failed): a failure re-opens with the break doubled up
 *   to `maxBreakDurationMs`; `halfOpenProbes` successes close with a fresh window.
 * - `release`: a probe slot given back unsent.
 * - `sync`: reads the state.
 * Every operation first moves an open circuit whose break is over to half-open, and frees the probe
 * slots of a half-open period that outlived its break with every slot taken (a process that took
 * a probe and died must not hold the circuit half-open for ever).
 *
 * KEYS: state hash, window hash, operation marker.
 * ARGV: operation, failureRatio, minimumThroughput, samplingDurationMs, breakDurationMs,
 *   maxBreakDurationMs, halfOpenProbes, attempts, failures, channel, scope, sender, marker TTL.
 * Returns `{ state, ms left in the break, incarnation, version, permit (0 pass, 1 probe, 2 reject) }`.
 */
export const BREAKER_SCRIPT = script(
  'breaker',
  `${PRELUDE}
local state_key, window_key = KEYS[1], KEYS[2]
local op = ARGV[1]
local failure_ratio = tonumber(ARGV[2])
local minimum = tonumber(ARGV[3])
local sampling = tonumber(ARGV[4])
local base_break = tonumber(ARGV[5])
local max_break = tonumber(ARGV[6])
local max_probes = tonumber(ARGV[7])
local attempts = tonumber(ARGV[8])
local failures = tonumber(ARGV[9])
local f = redis.call('HMGET', state_key, 'state', 'until', 'break', 'probes', 'successes', 'since', 'version', 'incarnation')
local state = f[1] or 'closed'
local until_ms = tonumber(f[2]) or 0
local break_ms = tonumber(f[3]) or base_break
local probes = tonumber(f[4]) or 0
local successes = tonumber(f[5]) or 0
local since = tonumber(f[6]) or now
local version = tonumber(f[7]) or 0
local incarnation = f[8] or string.format('%d', now)
local function left()
  if state == 'open' then return until_ms - now end
  return 0
end
local function move(to)
  state = to
  version = version + 1
  redis.call('PUBLISH', ARGV[10], cjson.encode({ kind = 'breaker', scope = ARGV[11], from = ARGV[12],
    state = to, ms = left(), incarnation = incarnation, version = version }))
end
local function open(ms)
  break_ms = ms
  until_ms = now + ms
  redis.call('DEL', window_key)
  move('open')
end
if state == 'open' and now >= until_ms then
  probes, successes, since = 0, 0, now
  move('half-open')
end
if state == 'half-open' and probes >= max_probes and now >= since + break_ms then
  probes, since = 0, now
end
local permit = 2
if op == 'record' then
  if state == 'closed' and attempts > 0 and first_time(KEYS[3], ARGV[13]) then
    local slice = math.floor(now / (sampling / 10))
    redis.call('HINCRBY', window_key, slot('a', slice), attempts)
    if failures > 0 then redis.call('HINCRBY', window_key, slot('f', slice), failures) end
    local total, failed = window(window_key, 'a', 'f', slice)
    sweep(window_key, 'a', 'f', slice, sampling * 2)
    if total >= minimum and failed / total >= failure_ratio then open(base_break) end
  end
elseif op == 'acquire' then
  if state == 'closed' then
    permit = 0
  elseif state == 'half-open' and probes < max_probes then
    probes = probes + 1
    permit = 1
  end
elseif op == 'probe' then
  if first_time(KEYS[3], ARGV[13]) then
    if probes > 0 then probes = probes - 1 end
    if state == 'half-open' then
      if failures > 0 then
        open(math.min(break_ms * 2, max_break))
      else
        successes = successes + 1
        if successes >= max_probes then
          break_ms = base_break
          redis.call('DEL', window_key)
          move('closed')
        end
      end
    end
  end
elseif op == 'release' then
  if probes > 0 and first_time(KEYS[3], ARGV[13]) then probes = probes - 1 end
end
redis.call('HSET', state_key, 'state', state, 'until', string.format('%d', until_ms),
  'break', string.format('%d', break_ms), 'probes', probes, 'successes', successes,
  'since', string.format('%d', since), 'version', version, 'incarnation', incarnation)
redis.call('PEXPIRE', state_key, string.format('%d', max_break + sampling * 2))
return { state, left(), incarnation, version, permit }
`,
);

/**
 * A scope's pause: one key whose TTL is the time left (`PTTL`), so no clock is compared. A longer
 * wait than the one left replaces it and is published; a shorter one changes nothing. A wait of 0
 * only reads.
 *
 * KEYS: pause key. ARGV: waitMs, channel, scope, sender.
 * Returns `{ ms left in the pause }` (0: none).
 */
export const PAUSE_SCRIPT = script(
  'pause',
  `
local wait = tonumber(ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then left = 0 end
if wait > left then
  redis.call('SET', KEYS[1], '1', 'PX', string.format('%d', wait))
  redis.call('PUBLISH', ARGV[2], cjson.encode({ kind = 'pause', scope = ARGV[3], from = ARGV[4], ms = wait }))
  return { wait }
end
return { left }
`,
);
