-- Removes sessions not seen since ARGV[2] (ms) from the online set and
-- from the listeners of their song, then announces the change.
-- ARGV[1] key prefix, ARGV[2] cutoff in ms, ARGV[3] max sessions per call.
local prefix = ARGV[1]
local presence = prefix .. 'presence'
local gone = redis.call('ZRANGEBYSCORE', presence, '-inf', '(' .. ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local songs = {}
local quoted = {}
for _, session in ipairs(gone) do
  local song = redis.call('HGET', prefix .. 'session:' .. session, 'song')
  if song then
    redis.call('ZREM', prefix .. 'song:' .. song .. ':listeners', session)
    if not songs[song] then songs[song] = true; table.insert(quoted, cjson.encode(song)) end
  end
  redis.call('ZREM', presence, session)
end
if #gone > 0 then
  redis.call('PUBLISH', prefix .. 'stats-changed', '{"songs":[' .. table.concat(quoted, ',') .. '],"expired":' .. #gone .. '}')
end
return #gone
