-- expire: every offer whose deadline is at or before now lapses, as if declined.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] now (ms)
-- returns: list of {chat, agent, group, enqueued ms, deadline ms}, by deadline
local out = {}
for _, chat in ipairs(redis.call('ZRANGEBYSCORE', K_OFFERS, '-inf', ARGV[2])) do
  table.insert(out, revert(chat, ARGV[2]))
end
return out
