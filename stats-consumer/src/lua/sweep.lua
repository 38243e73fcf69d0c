-- Removes sessions not seen since ARGV[1] (ms) from the online set and
-- from the listeners of their song, then announces the change.
-- Key names come from common::stats_keys; templates have '{}' for the id.
-- KEYS[1] the presence ZSET; ARGV[1] cutoff in ms, ARGV[2] max sessions per
-- call, ARGV[3] the change notice channel, ARGV[4] the session template,
-- ARGV[5] the song listeners template.
local presence = KEYS[1]
local session_key, listeners = template(ARGV[4]), template(ARGV[5])
local gone = redis.call('ZRANGEBYSCORE', presence, '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local songs = {}
local quoted = {}
for _, session in ipairs(gone) do
  local song = redis.call('HGET', session_key(session), 'song')
  if song then
    redis.call('ZREM', listeners(song), session)
    if not songs[song] then songs[song] = true; table.insert(quoted, cjson.encode(song)) end
  end
  redis.call('ZREM', presence, session)
end
if #gone > 0 then
  redis.call('PUBLISH', ARGV[3], '{"songs":[' .. table.concat(quoted, ',') .. '],"expired":' .. #gone .. '}')
end
return #gone
