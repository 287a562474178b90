-- Block (KEYS[1]: blocked or closed) an organisation until now + pause, never earlier than
-- an existing block; with backoff, each strike in 10 minutes (KEYS[2]) doubles the pause up
-- to ARGV[4]. Returns the time the block ends.
local now, pause, backoff = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
if backoff then
  local strikes = redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], 600)
  pause = math.min(pause * 2 ^ (strikes - 1), tonumber(ARGV[4]))
end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local blocked_until = math.max(current, now + pause)
redis.call('SET', KEYS[1], tostring(blocked_until), 'EX', math.ceil(blocked_until - now) + 1)
return tostring(blocked_until)
