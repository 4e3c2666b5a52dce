-- Joins a member (one node's connections of one identity) to a room, creating the room within the cluster-wide
-- limits: at most max-rooms rooms, at most max-per-identity rooms created by one identity that still exist; at a
-- limit, the least recently active rooms without members are retired first (the identity's own for its quota).
-- KEYS: 1 room hash, 2 room stream, 3 room presence, 4 room registry, 5 the creator's rooms
-- ARGV: 1 room name, 2 key prefix, 3 now (ms), 4 new epoch, 5 creator key, 6 max rooms, 7 max per identity,
--       8 presence entry, 9 presence expiry (ms), 10 key ttl (ms), 11 channel, 12 max messages, 13 max bytes,
--       14 oldest time kept (ms)
-- Returns {'ok', epoch, last seq, oldest seq, presence entries...} or {'quota'} or {'rooms'}.
local name, prefix, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ttl = tonumber(ARGV[10])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - ttl)
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- The identity's quota: its rooms that still exist, its own empty ones retired first, least recently active first.
  local mine = {}
  for _, room in ipairs(redis.call('SMEMBERS', KEYS[5])) do
    local active = redis.call('ZSCORE', KEYS[4], room)
    if active then
      table.insert(mine, {room, tonumber(active)})
    else
      redis.call('SREM', KEYS[5], room)
    end
  end
  local max_mine = tonumber(ARGV[7])
  if #mine >= max_mine then
    table.sort(mine, function(a, b) return a[2] < b[2] end)
    local count = #mine
    for _, room in ipairs(mine) do
      if count < max_mine then break end
      if room_empty(prefix, room[1], now) then
        retire_room(prefix, KEYS[4], room[1])
        redis.call('SREM', KEYS[5], room[1])
        count = count - 1
      end
    end
    if count >= max_mine then
      return {'quota'}
    end
  end
  -- The cluster's room count.
  local max_rooms = tonumber(ARGV[6])
  if redis.call('ZCARD', KEYS[4]) >= max_rooms then
    for _, room in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
      if redis.call('ZCARD', KEYS[4]) < max_rooms then break end
      if room_empty(prefix, room, now) then
        retire_room(prefix, KEYS[4], room)
      end
    end
    if redis.call('ZCARD', KEYS[4]) >= max_rooms then
      return {'rooms'}
    end
  end
  redis.call('DEL', KEYS[2]) -- (presence stays: after Redis restarted empty, other nodes' members are already back)
  redis.call('HSET', KEYS[1], 'epoch', ARGV[4], 'seq', 0, 'bytes', 0, 'creator', ARGV[5])
  redis.call('SADD', KEYS[5], name)
  -- Rooms that no longer exist leave the set when the identity next creates one; the set itself goes after 30 days.
  redis.call('PEXPIRE', KEYS[5], math.max(ttl, 2592000000))
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZADD', KEYS[3], ARGV[9], ARGV[8])
trim_history(KEYS[1], KEYS[2], tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14]))
for i = 1, 3 do
  redis.call('PEXPIRE', KEYS[i], ttl)
end
redis.call('ZADD', KEYS[4], ARGV[3], name)
redis.call('PUBLISH', ARGV[11], 'p')
local state = room_state(KEYS[1], KEYS[2])
local result = {'ok', state[1], state[2], state[3]}
for _, entry in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  table.insert(result, entry)
end
return result
