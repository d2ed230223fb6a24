-- take_dead_nodes: nodes not seen by their deadline, each taken by one caller only.
-- KEYS[1] nodes ZSET (node id scored by the ms it must be seen again by)
-- ARGV[1] now (ms)
-- returns: the dead node ids
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, node in ipairs(dead) do redis.call('ZREM', KEYS[1], node) end
return dead
