-- Swaps rebuilt keys in for the live ones, only if the live consumer has
-- applied exactly what the rebuild folded (otherwise returns 0: fold more).
-- ARGV: live prefix, fresh prefix, n, then n pairs (partition, next offset),
--       m, then m live keys to delete, then the fresh keys to rename.
local live, fresh = ARGV[1], ARGV[2]
local n = tonumber(ARGV[3])
local i = 4
for _ = 1, n do
  local stored = redis.call('HGET', live .. 'consumer:offsets', ARGV[i]) or '0'
  if stored ~= ARGV[i + 1] then return 0 end
  i = i + 2
end
local m = tonumber(ARGV[i])
i = i + 1
for _ = 1, m do
  redis.call('DEL', ARGV[i])
  i = i + 1
end
while i <= #ARGV do
  local key = ARGV[i]
  redis.call('RENAME', key, live .. string.sub(key, #fresh + 1))
  i = i + 1
end
redis.call('PUBLISH', live .. 'stats-changed', '{"songs":[],"rebuilt":true}')
return 1
