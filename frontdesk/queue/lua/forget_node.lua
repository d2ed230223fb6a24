-- forget_node: drop every socket a node held from its people's connection sets.
-- KEYS[1] the node's SET of "who|node:sid" (who: an agent's id, or "customer:<id>")
-- ARGV[1] prefix (the sets are prefix .. 'connections:' .. who, as keys.py)
-- returns: each who left with no socket at all
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
