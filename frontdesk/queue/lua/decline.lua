-- decline: the offered agent refuses; the chat goes back to its place, the seat is freed.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] chat id, ARGV[3] agent id, ARGV[4] now (ms)
-- returns: {chat, agent, group, enqueued ms, deadline ms}, or nil if not offered to this agent
local chat, agent = ARGV[2], ARGV[3]
local e = redis.call('HMGET', k_entry(chat), 'state', 'agent')
if e[1] ~= 'offered' or e[2] ~= agent then return nil end
return revert(chat, ARGV[4])
