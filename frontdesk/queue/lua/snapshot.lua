-- snapshot: one group's figures, read in one step.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] group
-- returns: {waiting, head enqueued ms or nil, offered, available, busy, away, seats}
local g = ARGV[2]
local head = redis.call('ZRANGE', k_waiting(g), 0, 0, 'WITHSCORES')
local available, busy, away, seats = 0, 0, 0, 0
for _, agent in ipairs(redis.call('ZRANGE', k_agents(g), 0, -1)) do
  local a = redis.call('HMGET', k_agent(agent), 'presence', 'capacity', 'active')
  if a[1] == 'available' then seats = seats + tonumber(a[2]) end
  if a[1] ~= 'offline' and tonumber(a[3]) > 0 then
    busy = busy + 1  -- holding a chat or an offer, whatever the presence
  elseif a[1] == 'available' then
    available = available + 1
  elseif a[1] == 'away' then
    away = away + 1
  end
end
local since = head[2] or false
return {redis.call('ZCARD', k_waiting(g)), since, redis.call('SCARD', k_offered(g)),
  available, busy, away, seats}
