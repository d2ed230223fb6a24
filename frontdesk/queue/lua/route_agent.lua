-- route_agent: an agent with a free seat takes the oldest chat waiting in its groups that
-- it never passed on, or passed on at or before passed_before.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] agent id, ARGV[3] now (ms), ARGV[4] deadline (ms),
-- ARGV[5] passed_before (ms, or '' for never again)
-- returns: {chat, agent, group, enqueued ms, deadline ms}, or nil if no seat / nothing fits
local agent, now, deadline, passed_before = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not has_seat(agent) then return nil end
local PAGE = 16  -- lines can be long; read them a page at a time, head first
local best, best_score, best_group = nil, nil, nil
for _, g in ipairs(groups_of(agent)) do
  local start, found = 0, false
  repeat
    local page = redis.call('ZRANGE', k_waiting(g), start, start + PAGE - 1, 'WITHSCORES')
    for i = 1, #page, 2 do
      local chat, score = page[i], tonumber(page[i + 1])
      if may_have(chat, agent, passed_before) then
        if best == nil or score < best_score or (score == best_score and chat < best) then
          best, best_score, best_group = chat, score, g
        end
        found = true
        break
      end
    end
    start = start + PAGE
  until found or #page < PAGE * 2
end
if best == nil then return nil end
local enq = redis.call('HGET', k_entry(best), 'enqueued')
return make_offer(best, best_group, enq, agent, now, deadline)
