-- position: where a chat is in the queue (entry hash and line read together).
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] chat id
-- returns: 1-based position, 0 if offered, nil if not in the queue
return position(ARGV[2])
