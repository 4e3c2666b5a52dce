-- Where a room stands, after forgetting what is older than its history keeps, and who is in it.
-- KEYS: 1 room hash, 2 room stream, 3 room presence
-- ARGV: 1 now (ms), 2 max messages, 3 max bytes, 4 oldest time kept (ms)
-- Returns {epoch ('' when the room is gone), last seq, oldest seq, presence entries...}.
local now = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then
  trim_history(KEYS[1], KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
end
local result = room_state(KEYS[1], KEYS[2])
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], now, '+inf')) do
  table.insert(result, entry)
end
return result
