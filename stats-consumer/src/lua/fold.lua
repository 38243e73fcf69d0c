-- Applies one batch of player events of one partition, exactly once.
-- KEYS[1]  the offsets hash ({prefix}consumer:offsets)
-- ARGV[1]  key prefix
-- ARGV[2]  partition
-- ARGV[3]  next offset after this batch
-- ARGV[4]  session hash TTL (s)
-- ARGV[5]  trending window TTL (s)
-- ARGV[6]  1 to publish a change notice, 0 not to (rebuilds)
-- ARGV[7..] 9 fields per event: offset, type, session, user, song,
--           position_ms, ts_ms, minute (yyyymmddhhmm), day (yyyymmdd);
--           empty strings for nulls.
-- Events below the stored offset were applied before and are skipped; the
-- next offset is stored in the same atomic step as the counters it covers.
local offsets = KEYS[1]
local prefix = ARGV[1]
local partition = ARGV[2]
local next_offset = tonumber(ARGV[3])
local session_ttl = tonumber(ARGV[4])
local trending_ttl = tonumber(ARGV[5])
local notify = ARGV[6] == '1'
local stored = tonumber(redis.call('HGET', offsets, partition) or '0')
if next_offset <= stored then
  return {0, stored}
end

local changed = {}
local changed_list = {}
local function mark(song)
  if song ~= '' and not changed[song] then
    changed[song] = true
    table.insert(changed_list, song)
  end
end
local function listeners(song) return prefix .. 'song:' .. song .. ':listeners' end

local applied = 0
local i = 7
while i + 8 <= #ARGV do
  local offset = tonumber(ARGV[i])
  local kind, session, user, song = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local position, ts, minute, day = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  i = i + 9
  if offset >= stored then
    applied = applied + 1
    local skey = prefix .. 'session:' .. session
    local current = redis.call('HGET', skey, 'song') or ''
    local state = redis.call('HGET', skey, 'state') or ''
    if kind == 'disconnected' then
      redis.call('ZREM', prefix .. 'presence', session)
      if current ~= '' then redis.call('ZREM', listeners(current), session); mark(current) end
      redis.call('DEL', skey)
    else
      redis.call('ZADD', prefix .. 'presence', ts, session)
      if song == '' then song = current end
      local fields = {'updated', ts}
      if kind == 'connected' then
        fields = {'updated', ts, 'state', 'connected'}
      elseif kind == 'play' then
        if current ~= '' and current ~= song then
          redis.call('ZREM', listeners(current), session); mark(current)
        end
        redis.call('ZADD', listeners(song), ts, session)
        redis.call('INCR', prefix .. 'song:' .. song .. ':plays')
        redis.call('INCR', prefix .. 'plays:total')
        local trending = prefix .. 'trending:' .. minute
        redis.call('ZINCRBY', trending, 1, song)
        redis.call('EXPIRE', trending, trending_ttl)
        redis.call('PFADD', prefix .. 'uniq:' .. day, user ~= '' and ('user:' .. user) or ('session:' .. session))
        fields = {'updated', ts, 'state', 'playing', 'song', song, 'position', position}
      elseif kind == 'pause' or kind == 'ended' then
        if song ~= '' then redis.call('ZREM', listeners(song), session) end
        fields = {'updated', ts, 'state', kind == 'pause' and 'paused' or 'ended', 'song', song, 'position', position}
      elseif kind == 'resume' or kind == 'seek' then
        if song ~= '' and (kind == 'resume' or state == 'playing') then
          redis.call('ZADD', listeners(song), ts, session)
        end
        fields = {'updated', ts, 'state', kind == 'resume' and 'playing' or state, 'song', song, 'position', position}
      elseif kind == 'heartbeat' then
        if current ~= '' and state == 'playing' then
          redis.call('ZADD', listeners(current), ts, session)
        end
        song = ''
      end
      mark(song)
      redis.call('HSET', skey, unpack(fields))
      redis.call('EXPIRE', skey, session_ttl)
    end
  end
end

redis.call('HSET', offsets, partition, next_offset)
if notify then
  local quoted = {}
  for _, song in ipairs(changed_list) do table.insert(quoted, cjson.encode(song)) end
  redis.call('PUBLISH', prefix .. 'stats-changed',
    '{"partition":' .. partition .. ',"next_offset":' .. next_offset .. ',"songs":[' .. table.concat(quoted, ',') .. ']}')
end
return {applied, next_offset}
