-- route_request: offer a waiting chat to the longest-idle agent with a free seat who never
-- passed on it; else to the longest-idle one who passed on it at or before passed_before.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] chat id, ARGV[3] now (ms), ARGV[4] deadline (ms),
-- ARGV[5] passed_before (ms, or '' for never again)
-- returns: {chat, agent, group, enqueued ms, deadline ms}, or nil if not waiting / no agent
local chat, now, deadline, passed_before = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local e = redis.call('HMGET', k_entry(chat), 'group', 'enqueued', 'state')
if e[3] ~= 'waiting' then return nil end
local passed = k_passed(chat)
local again = nil
for _, agent in ipairs(redis.call('ZRANGE', k_agents(e[1]), 0, -1)) do
  if has_seat(agent) then
    if not redis.call('ZSCORE', passed, agent) then
      return make_offer(chat, e[1], e[2], agent, now, deadline)
    end
    if again == nil and may_have(chat, agent, passed_before) then again = agent end
  end
end
if again ~= nil then return make_offer(chat, e[1], e[2], again, now, deadline) end
return nil
