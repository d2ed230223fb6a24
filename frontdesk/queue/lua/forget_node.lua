-- forget_node: drop every socket a node held from its agents' connection sets.
-- KEYS[1] the node's SET of "agent_id|node:sid"
-- ARGV[1] prefix (agents' sets are prefix .. 'connections:' .. agent_id, as keys.py)
-- returns: the agent ids left with no socket at all
local emptied = {}
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local bar = string.find(member, '|', 1, true)
  local agent, connection = string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
  local key = ARGV[1] .. 'connections:' .. agent
  redis.call('SREM', key, connection)
  if redis.call('SCARD', key) == 0 then table.insert(emptied, agent) end
end
redis.call('DEL', KEYS[1])
return emptied
