-- route_request: offer a waiting chat to the longest-idle agent with a free seat.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] chat id, ARGV[3] now (ms), ARGV[4] deadline (ms)
-- returns: {chat, agent, group, enqueued ms, deadline ms}, or nil if not waiting / no agent
local chat, now, deadline = ARGV[2], ARGV[3], ARGV[4]
local e = redis.call('HMGET', k_entry(chat), 'group', 'enqueued', 'state')
if e[3] ~= 'waiting' then return nil end
local declined = k_declined(chat)
for _, agent in ipairs(redis.call('ZRANGE', k_agents(e[1]), 0, -1)) do
  if redis.call('SISMEMBER', declined, agent) == 0 and has_seat(agent) then
    return make_offer(chat, e[1], e[2], agent, now, deadline)
  end
end
return nil
