-- withdraw: remove a waiting or offered chat; an offered one frees its agent's seat.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] chat id,
-- ARGV[3...] kinds of the chat's deadlines that end with it, in the queue or not
-- returns: 1 if removed, 0 if the chat was not in the queue
local chat = ARGV[2]
forget_deadlines(chat, 3)
local e = redis.call('HMGET', k_entry(chat), 'group', 'state', 'agent')
if not e[1] then return 0 end
if e[2] == 'offered' then free_seat(e[3]) end
redis.call('ZREM', k_waiting(e[1]), chat)
redis.call('ZREM', K_OFFERS, chat)
redis.call('SREM', k_offered(e[1]), chat)
redis.call('DEL', k_entry(chat), k_passed(chat), k_declined_old(chat))
return 1
