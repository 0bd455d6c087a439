-- One GCRA step for the key KEYS[1], timed by Redis's own clock so that machines with skewed
-- clocks share one schedule. ARGV[1]: the interval between permits, ARGV[2]: how far ahead of
-- its slot a request may come (both in microseconds). Returns 0 when the request is granted
-- (and records it), else the microseconds until it would be.
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
if tat - tolerance > now then
  return tat - tolerance - now
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.floor((new_tat - now) / 1000) + 1000)
return 0
