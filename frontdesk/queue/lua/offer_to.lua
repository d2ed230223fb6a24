-- offer_to: a supervisor's choice: offer a waiting chat to one named agent, whatever its
-- groups and whether it passed on the chat before, if it is signed in and has a free seat.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] chat id, ARGV[3] agent id, ARGV[4] now (ms), ARGV[5] deadline (ms)
-- returns: {chat, agent, group, enqueued ms, deadline ms}, or nil if not waiting / no seat
local chat, agent, now, deadline = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local e = redis.call('HMGET', k_entry(chat), 'group', 'enqueued', 'state')
if e[3] ~= 'waiting' then return nil end
local a = redis.call('HMGET', k_agent(agent), 'presence', 'capacity', 'active')
if not a[1] or a[1] == 'offline' or tonumber(a[3]) >= tonumber(a[2]) then return nil end
return make_offer(chat, e[1], e[2], agent, now, deadline)
