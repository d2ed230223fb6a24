-- accept: the offered agent takes the chat; it leaves the queue, the seat stays taken.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] chat id, ARGV[3] agent id,
-- ARGV[4...] kinds of the chat's deadlines that end with it
-- returns: 1 if accepted, 0 if the chat is not offered to this agent
local chat, agent = ARGV[2], ARGV[3]
local e = redis.call('HMGET', k_entry(chat), 'group', 'state', 'agent')
if e[2] ~= 'offered' or e[3] ~= agent then return 0 end
redis.call('DEL', k_entry(chat), k_passed(chat), k_declined_old(chat))
redis.call('ZREM', K_OFFERS, chat)
redis.call('SREM', k_offered(e[1]), chat)
forget_deadlines(chat, 4)
return 1
