-- release: an accepted chat ended; free a seat, idle from now when none are left.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] agent id, ARGV[3] now (ms)
-- returns: the agent's active count, or nil for an unknown agent
local agent, now = ARGV[2], ARGV[3]
local active = free_seat(agent)
if active == 0 then
  redis.call('HSET', k_agent(agent), 'idle_since', now)
  for _, g in ipairs(groups_of(agent)) do redis.call('ZADD', k_agents(g), now, agent) end
end
return active
