-- take_idle: every available agent holding nothing, with no sign of life (the later of
-- idle_since and last_activity) after ARGV[2], turns away with the reason ARGV[4].
-- One script, so two nodes checking at once never both take the same agent.
-- KEYS[1] offers ZSET (unused)
-- ARGV[1] prefix, ARGV[2] idle_before (ms), ARGV[3] now (ms), ARGV[4] reason
-- returns: the ids of the agents turned away
local idle_before, now, reason = tonumber(ARGV[2]), ARGV[3], ARGV[4]
local taken = {}
for _, agent in ipairs(redis.call('SMEMBERS', P .. 'agent_ids')) do  -- keys.py agent_ids()
  local ak = k_agent(agent)
  local a = redis.call('HMGET', ak, 'presence', 'active', 'idle_since', 'last_activity')
  if a[1] == 'available' and tonumber(a[2]) == 0 then
    local seen = tonumber(a[3])
    if a[4] and tonumber(a[4]) > seen then seen = tonumber(a[4]) end
    if seen <= idle_before then
      redis.call('HSET', ak, 'presence', 'away', 'reason', reason, 'presence_since', now)
      table.insert(taken, agent)
    end
  end
end
return taken
