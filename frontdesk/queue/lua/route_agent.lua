-- route_agent: an agent with a free seat takes the oldest chat waiting in its groups that
-- it never passed on, or passed on at or before passed_before.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] agent id, ARGV[3] now (ms), ARGV[4] deadline (ms),
-- ARGV[5] passed_before (ms, or '' for never again)
-- returns: {chat, agent, group, enqueued ms, deadline ms}, or nil if no seat / nothing fits
return route_agent_once(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
