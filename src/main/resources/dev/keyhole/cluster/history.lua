-- Shared by the scripts below (prepended to each): keeps a room's history within its caps.
-- A room is a hash (epoch, seq, bytes, creator) and a stream whose entry ids are "<seq>-0", each with the fields
-- t (posted, epoch milliseconds) and f (the message frame every member received).
local function trim_history(meta, log, max_count, max_bytes, min_time)
  local bytes = tonumber(redis.call('HGET', meta, 'bytes') or '0')
  local count = redis.call('XLEN', log)
  while count > 0 do
    local first = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
    local fields = first[2]
    if count > max_count or bytes > max_bytes or tonumber(fields[2]) < min_time then
      redis.call('XDEL', log, first[1])
      bytes = bytes - #fields[4]
      count = count - 1
    else
      break
    end
  end
  if bytes < 0 or count == 0 then
    bytes = 0
  end
  redis.call('HSET', meta, 'bytes', bytes)
end

-- The room's epoch, last sequence number and oldest retained sequence number (last + 1 when none is retained).
local function room_state(meta, log)
  local state = redis.call('HMGET', meta, 'epoch', 'seq')
  local first = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
  local last = tonumber(state[2] or '0')
  local oldest = last + 1
  if first then
    oldest = tonumber(string.match(first[1], '^(%d+)'))
  end
  return {state[1] or '', last, oldest}
end

-- Forgets a room whose members all left: its history, presence and place in the registry.
local function retire_room(prefix, registry, name)
  local room = prefix .. 'room:' .. name
  redis.call('DEL', room, room .. ':log', room .. ':members')
  redis.call('ZREM', registry, name)
end

-- Whether a room has no member whose presence is still fresh.
local function room_empty(prefix, name, now)
  local members = prefix .. 'room:' .. name .. ':members'
  redis.call('ZREMRANGEBYSCORE', members, '-inf', now)
  return redis.call('ZCARD', members) == 0
end
