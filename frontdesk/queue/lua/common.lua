-- Helpers shared by every verb script: redis_backend.py prepends this file to each one.
-- Key shapes mirror frontdesk/queue/keys.py: ARGV[1] is the prefix, KEYS[1] the offers ZSET.
-- Times are epoch milliseconds from the caller, never Redis's own clock.
local P = ARGV[1]
local K_OFFERS = KEYS[1]
local function k_entry(chat) return P .. 'entry:' .. chat end
local function k_waiting(group) return P .. 'waiting:' .. group end
local function k_agents(group) return P .. 'agents:' .. group end
local function k_agent(id) return P .. 'agent:' .. id end
local function k_offered(group) return P .. 'offered:' .. group end
local function k_passed(chat) return P .. 'passed:' .. chat end
-- The SET of decliners (no times) that k_passed replaced; dropped with the chat's entry.
local function k_declined_old(chat) return P .. 'declined:' .. chat end
local K_DEADLINES = P .. 'deadlines'

-- Forget the chat's deadlines of the kinds ARGV[first], ARGV[first + 1], ...
local function forget_deadlines(chat, first)
  for i = first, #ARGV do redis.call('ZREM', K_DEADLINES, ARGV[i] .. '|' .. chat) end
end

-- May `agent` be offered `chat`: it never passed on it, or passed at or before
-- `passed_before` (ms, or '' for never again).
local function may_have(chat, agent, passed_before)
  local passed = redis.call('ZSCORE', k_passed(chat), agent)
  if not passed then return true end
  return passed_before ~= '' and tonumber(passed) <= tonumber(passed_before)
end

local function groups_of(agent)
  local raw = redis.call('HGET', k_agent(agent), 'groups')
  if not raw then return {} end
  return cjson.decode(raw)
end

local function has_seat(agent)
  local a = redis.call('HMGET', k_agent(agent), 'presence', 'capacity', 'active')
  return a[1] == 'available' and tonumber(a[3]) < tonumber(a[2])
end

-- 1-based place in the line, 0 while offered, nil when not in the queue.
local function position(chat)
  local e = redis.call('HMGET', k_entry(chat), 'group', 'state')
  if not e[1] then return nil end
  if e[2] == 'offered' then return 0 end
  return redis.call('ZRANK', k_waiting(e[1]), chat) + 1
end

-- Reserve a seat of `agent` for `chat`; returns the offer {chat, agent, group, enq, deadline}.
local function make_offer(chat, group, enq, agent, now, deadline)
  local ak = k_agent(agent)
  redis.call('HINCRBY', ak, 'active', 1)
  redis.call('HSET', ak, 'idle_since', now)  -- a reserved seat counts as activity
  for _, g in ipairs(groups_of(agent)) do redis.call('ZADD', k_agents(g), now, agent) end
  redis.call('HSET', k_entry(chat), 'state', 'offered', 'agent', agent, 'deadline', deadline)
  redis.call('ZREM', k_waiting(group), chat)
  redis.call('ZADD', K_OFFERS, deadline, chat)
  redis.call('SADD', k_offered(group), chat)
  return {chat, agent, group, enq, deadline}
end

-- An agent with a free seat takes the oldest chat waiting in its groups that it never
-- passed on, or passed on at or before passed_before: the offer, or nil if no seat or
-- nothing fits.
local function route_agent_once(agent, now, deadline, passed_before)
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
end

-- One seat fewer (never below zero); returns the new count, nil for an unknown agent.
local function free_seat(agent)
  local ak = k_agent(agent)
  local active = tonumber(redis.call('HGET', ak, 'active'))
  if active == nil then return nil end
  if active > 0 then
    active = active - 1
    redis.call('HSET', ak, 'active', active)
  end
  return active
end

-- An offered chat back to waiting in its original place; the agent is remembered as
-- having passed on it at `now`. Returns the lapsed offer {chat, agent, group, enq, deadline}.
local function revert(chat, now)
  local ek = k_entry(chat)
  local e = redis.call('HMGET', ek, 'group', 'enqueued', 'agent', 'deadline')
  free_seat(e[3])
  redis.call('ZADD', k_passed(chat), now, e[3])
  redis.call('HSET', ek, 'state', 'waiting')
  redis.call('HDEL', ek, 'agent', 'deadline')
  redis.call('ZREM', K_OFFERS, chat)
  redis.call('SREM', k_offered(e[1]), chat)
  redis.call('ZADD', k_waiting(e[1]), e[2], chat)
  return {chat, e[3], e[1], e[2], e[4]}
end
