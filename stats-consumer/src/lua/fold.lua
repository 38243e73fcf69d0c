-- Applies one batch of player events of one partition, exactly once.
-- KEYS[1]  the offsets hash ({prefix}consumer:offsets)
-- ARGV[1]  key prefix
-- ARGV[2]  partition
-- ARGV[3]  next offset after this batch
-- ARGV[4]  session hash TTL (s)
-- ARGV[5]  trending window TTL (s)
-- ARGV[6]  1 to publish a change notice, 0 not to (rebuilds)
-- ARGV[7]  per-song counter bound (s): a song's plays, and a day's unique
--          listeners, expire this long after the last event that touched them
-- ARGV[8..] 9 fields per event: offset, type, session, user, song,
--           position_ms, ts_ms, minute (yyyymmddhhmm), day (yyyymmdd);
--           empty strings for nulls.
-- Events below the stored offset were applied before and are skipped; the
-- next offset is stored in the same atomic step as the counters it covers.
-- Every key named after a song (or a session, or a day) gets an expiry, so
-- ids that stop appearing leave nothing behind.
local offsets = KEYS[1]
local prefix = ARGV[1]
local partition = ARGV[2]
local next_offset = tonumber(ARGV[3])
local session_ttl = tonumber(ARGV[4])
local trending_ttl = tonumber(ARGV[5])
local notify = ARGV[6] == '1'
local song_ttl_ms = tonumber(ARGV[7]) * 1000
local session_ttl_ms = session_ttl * 1000
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

local clock = redis.call('TIME')
local now_ms = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
-- Moves an existing key's expiry to `at` (ms since the epoch, from event
-- times, so a refold gives the same bounds) unless it already expires
-- later: events of several partitions may arrive out of time order.
local function expire_at_least(key, at)
  local left = redis.call('PTTL', key)
  if left == -1 or (left >= 0 and at - now_ms > left) then
    redis.call('PEXPIREAT', key, at)
  end
end
local function touch_listeners(song, session, ts)
  local key = listeners(song)
  redis.call('ZADD', key, ts, session)
  expire_at_least(key, tonumber(ts) + session_ttl_ms)
end

local applied = 0
local i = 8
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
        touch_listeners(song, session, ts)
        local plays = prefix .. 'song:' .. song .. ':plays'
        redis.call('INCR', plays)
        expire_at_least(plays, tonumber(ts) + song_ttl_ms)
        redis.call('INCR', prefix .. 'plays:total')
        local trending = prefix .. 'trending:' .. minute
        redis.call('ZINCRBY', trending, 1, song)
        redis.call('EXPIRE', trending, trending_ttl)
        local uniq = prefix .. 'uniq:' .. day
        redis.call('PFADD', uniq, user ~= '' and ('user:' .. user) or ('session:' .. session))
        expire_at_least(uniq, tonumber(ts) + song_ttl_ms)
        fields = {'updated', ts, 'state', 'playing', 'song', song, 'position', position}
      elseif kind == 'pause' or kind == 'ended' then
        if song ~= '' then redis.call('ZREM', listeners(song), session) end
        fields = {'updated', ts, 'state', kind == 'pause' and 'paused' or 'ended', 'song', song, 'position', position}
      elseif kind == 'resume' or kind == 'seek' then
        if song ~= '' and (kind == 'resume' or state == 'playing') then
          touch_listeners(song, session, ts)
        end
        fields = {'updated', ts, 'state', kind == 'resume' and 'playing' or state, 'song', song, 'position', position}
      elseif kind == 'heartbeat' then
        if current ~= '' and state == 'playing' then
          touch_listeners(current, session, ts)
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
