-- One admission to a sliding window of weighted requests, with a suspension after a refusal,
-- timed by Redis's own clock.
-- KEYS[1]: the window (a sorted set of "<id>:<weight>" scored by time in microseconds);
-- KEYS[2]: the suspension (a time in microseconds until which everything is refused).
-- ARGV[1]: capacity (total weight a window holds), ARGV[2]: this request's weight,
-- ARGV[3]: the window in microseconds, ARGV[4]: slack in microseconds (entries older than
-- window - slack no longer count), ARGV[5]: the suspension after a refusal in microseconds,
-- ARGV[6]: a unique id for this request.
-- Returns 0 when admitted (and recorded), else the microseconds until the suspension ends.
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
local suspended_until = tonumber(redis.call('GET', KEYS[2]))
if suspended_until and suspended_until > now then
  return suspended_until - now
end
local capacity = tonumber(ARGV[1])
local weight = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local counted = window - tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - counted)
local used = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  used = used + tonumber(string.match(member, ':(%d+)$'))
end
if used + weight <= capacity then
  redis.call('ZADD', KEYS[1], now, ARGV[6] .. ':' .. weight)
  redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1000)
  return 0
end
local suspension = tonumber(ARGV[5])
if suspension <= 0 then
  return 1
end
redis.call('SET', KEYS[2], now + suspension, 'PX', math.floor(suspension / 1000) + 1)
return suspension
