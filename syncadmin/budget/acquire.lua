-- Take one slot for an organisation, or say which limit refused and for how long.
-- KEYS: minute, in_flight, day, credits, blocked, closed, then one waiters set per lane
-- (highest priority first); ARGV: see RedisBackend.try_acquire. Returns {status, why, seconds}.
local now, rank, waiter, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local cost, per_minute, window = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local daily_cap, credits, bucket = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local concurrency, lease_s, waiter_ttl = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local next_day = tonumber(ARGV[14])
local minute, inflight, day, creditk = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local blocked, closed = KEYS[5], KEYS[6]
local mine = KEYS[6 + rank]

local function wait(why, seconds)
  redis.call('ZADD', mine, now + waiter_ttl, waiter)
  redis.call('PEXPIRE', mine, math.ceil(waiter_ttl * 2000))
  return {'wait', why, tostring(seconds)}
end

local closed_until = tonumber(redis.call('GET', closed) or '0')
if now < closed_until then return {'exhausted', 'closed', tostring(closed_until - now)} end
if daily_cap > 0 and tonumber(redis.call('GET', day) or '0') + 1 > daily_cap then
  return {'exhausted', 'daily', tostring(next_day - now)}
end
local current = math.floor(now / bucket)
if credits > 0 then
  local oldest_kept, used, first = current - math.floor(86400 / bucket) - 1, 0, current
  local flat = redis.call('HGETALL', creditk)
  for i = 1, #flat, 2 do
    local b = tonumber(flat[i])
    if b <= oldest_kept then redis.call('HDEL', creditk, flat[i])
    else used = used + tonumber(flat[i + 1]); if b < first then first = b end end
  end
  if used + cost > credits then
    return {'exhausted', 'credits', tostring((first + 1) * bucket + 86400 - now)}
  end
end
local blocked_until = tonumber(redis.call('GET', blocked) or '0')
if now < blocked_until then return wait('blocked', blocked_until - now) end
for r = 1, rank - 1 do
  redis.call('ZREMRANGEBYSCORE', KEYS[6 + r], '-inf', now)
  if redis.call('ZCARD', KEYS[6 + r]) > 0 then return wait('lane', 0) end
end
if per_minute > 0 then
  redis.call('ZREMRANGEBYSCORE', minute, '-inf', now - window)
  if redis.call('ZCARD', minute) >= per_minute then
    local oldest = redis.call('ZRANGE', minute, 0, 0, 'WITHSCORES')
    return wait('minute', tonumber(oldest[2]) + window - now)
  end
end
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
if redis.call('ZCARD', inflight) >= concurrency then return wait('in_flight', 0) end

redis.call('ZREM', mine, waiter)
redis.call('ZADD', inflight, now + lease_s, lease)
redis.call('PEXPIRE', inflight, math.ceil(lease_s * 1000) + 1000)
if per_minute > 0 then
  redis.call('ZADD', minute, now, lease)
  redis.call('PEXPIRE', minute, math.ceil(window * 1000) + 1000)
end
redis.call('INCR', day)
redis.call('EXPIRE', day, 2 * 86400)
if credits > 0 then
  redis.call('HINCRBY', creditk, tostring(current), cost)
  redis.call('EXPIRE', creditk, 86400 + 2 * bucket)
end
return {'ok', '', '0'}
