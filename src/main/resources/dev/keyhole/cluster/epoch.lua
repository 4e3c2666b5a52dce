-- Starts a new epoch for a room whose Redis lost messages it had already published (restored from an older
-- snapshot, or failed over to a replica that was behind): only if the epoch is still the one the node saw.
-- KEYS: 1 room hash
-- ARGV: 1 the epoch seen, 2 the new epoch
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[2])
end
return {redis.call('HGET', KEYS[1], 'epoch')}
