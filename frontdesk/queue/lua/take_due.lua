-- take_due: deadlines due at or before now, each leased to fire again unless cancelled.
-- KEYS[1] deadlines ZSET ("kind|key" scored by due ms)
-- ARGV[1] now (ms), ARGV[2] lease end (ms), ARGV[3] most to take
-- returns: the due members, earliest first
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return due
