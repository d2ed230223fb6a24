-- set_agent: create or update an agent; active seats kept, idle from now when turning available.
-- KEYS[1] offers ZSET
-- ARGV[1] prefix, ARGV[2] agent id, ARGV[3] presence, ARGV[4] groups (JSON list),
-- ARGV[5] capacity, ARGV[6] now (ms), ARGV[7] active seats to restore ('' keeps them),
-- ARGV[8] reason ('' for none)
-- returns: {active, idle_since ms, presence_since ms, last_activity ms or ''}
local agent, presence, groups_json, capacity, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local reason = ARGV[8]
local ak = k_agent(agent)
local old = redis.call('HMGET', ak, 'presence', 'active', 'idle_since', 'presence_since', 'reason',
  'last_activity')
local active, idle, since = 0, now, now
if old[1] then
  active = tonumber(old[2])
  if old[1] == 'available' or presence ~= 'available' then idle = old[3] end
  -- the presence and its reason both unchanged: the state goes on
  if old[1] == presence and (old[5] or '') == reason and old[4] then since = old[4] end
  for _, g in ipairs(groups_of(agent)) do redis.call('ZREM', k_agents(g), agent) end
end
if ARGV[7] ~= '' then active = tonumber(ARGV[7]) end
redis.call('HSET', ak, 'presence', presence, 'capacity', capacity, 'active', active,
  'groups', groups_json, 'idle_since', idle, 'presence_since', since)
if reason == '' then redis.call('HDEL', ak, 'reason') else redis.call('HSET', ak, 'reason', reason) end
for _, g in ipairs(cjson.decode(groups_json)) do redis.call('ZADD', k_agents(g), idle, agent) end
redis.call('SADD', P .. 'agent_ids', agent)  -- keys.py agent_ids()
return {active, idle, since, old[6] or ''}
