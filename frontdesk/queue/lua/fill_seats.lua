-- fill_seats: route_agent again and again, while the agent has a free seat and a chat
-- fits it; one script, so a desk turning available costs one round trip, not one a seat.
-- KEYS[1] offers ZSET
-- ARGV as route_agent's
-- returns: the offers made, each {chat, agent, group, enqueued ms, deadline ms}, in order
local offers = {}
while true do
  local offer = route_agent_once(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
  if offer == nil then return offers end
  offers[#offers + 1] = offer
end
