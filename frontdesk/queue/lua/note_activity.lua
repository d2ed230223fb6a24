-- note_activity: the agent's console was active at ARGV[3]; the later time is kept.
-- KEYS[1] offers ZSET (unused)
-- ARGV[1] prefix, ARGV[2] agent id, ARGV[3] at (ms)
-- returns: 1 when noted, 0 for an agent with no routing state (nothing is created)
local ak = k_agent(ARGV[2])
if redis.call('EXISTS', ak) == 0 then return 0 end
local last = redis.call('HGET', ak, 'last_activity')
if not last or tonumber(last) < tonumber(ARGV[3]) then
  redis.call('HSET', ak, 'last_activity', ARGV[3])
end
return 1
