-- Posts one message: numbers it, keeps it in the room's history and publishes it, atomically, so history and
-- fan-out cannot diverge. A room that is gone (Redis restarted empty, or it expired) starts again with a new epoch.
-- KEYS: 1 room hash, 2 room stream, 3 room registry
-- ARGV: 1 room name, 2 channel, 3 frame before seq, 4 frame after seq, 5 now (ms), 6 new epoch,
--       7 max messages, 8 max bytes, 9 oldest time kept (ms), 10 key ttl (ms)

local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[6]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0, 'bytes', 0)
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local frame = ARGV[3] .. string.format('%d', seq) .. ARGV[4]
local added = redis.pcall('XADD', KEYS[2], string.format('%d', seq) .. '-0', 't', ARGV[5], 'f', frame)
if type(added) == 'table' and added.err then
  -- The stream is ahead of the number (it should never be): give the number back, write nothing, refuse the post.
  redis.call('HINCRBY', KEYS[1], 'seq', -1)
  return redis.error_reply('KEYHOLE-STREAM-AHEAD ' .. added.err)
end
redis.call('HINCRBY', KEYS[1], 'bytes', #frame)
trim_history(KEYS[1], KEYS[2], tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]))
redis.call('PEXPIRE', KEYS[1], ARGV[10])
redis.call('PEXPIRE', KEYS[2], ARGV[10])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
-- 'n EPOCH SEQ POSTED-AT FRAME' (a node of the version before the posting time read 'm EPOCH SEQ FRAME' only).
redis.call('PUBLISH', ARGV[2], 'n ' .. epoch .. ' ' .. string.format('%d', seq) .. ' ' .. ARGV[5] .. ' ' .. frame)
return {epoch, seq}
