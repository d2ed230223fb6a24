-- enqueue: put a chat in its group's line unless it is already in the queue.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] chat id, ARGV[3] group, ARGV[4] enqueued_at (epoch ms),
-- ARGV[5] kind of a deadline to set for the chat in the same step ('' for none),
-- ARGV[6] when it is due (epoch ms)
-- returns: 1-based position, or 0 if the chat is offered right now
local chat = ARGV[2]
if redis.call('EXISTS', k_entry(chat)) == 0 then
  redis.call('HSET', k_entry(chat), 'group', ARGV[3], 'enqueued', ARGV[4], 'state', 'waiting')
  redis.call('ZADD', k_waiting(ARGV[3]), ARGV[4], chat)
end
if ARGV[5] and ARGV[5] ~= '' then
  redis.call('ZADD', K_DEADLINES, ARGV[6], ARGV[5] .. '|' .. chat)
end
return position(chat)
