-- Applies one batch of player events of one partition, exactly once.
-- Key names come from common::stats_keys (docs/redis-keys.md); names made
-- from an id are templates with '{}' where the id goes.
-- KEYS[1]  the offsets hash ({prefix}consumer:offsets)
-- KEYS[2]  the presence ZSET ({prefix}presence)
-- KEYS[3]  the total plays counter ({prefix}plays:total)
-- KEYS[4]  the playing ZSET ({prefix}playing)
-- KEYS[5]  the most played songs ZSET ({prefix}songs:most-played)
-- KEYS[6]  the recently played songs ZSET ({prefix}songs:recently-played)
-- ARGV[1]  partition
-- ARGV[2]  next offset after this batch
-- ARGV[3]  session hash TTL (s)
-- ARGV[4]  trending window TTL (s)
-- ARGV[5]  1 to publish a change notice, 0 not to (rebuilds)
-- ARGV[6]  per-song counter bound (s): a song's plays, and a day's unique
--          listeners, expire this long after the last event that touched them
-- ARGV[7]  the change notice channel ({prefix}stats-changed)
-- ARGV[8]  most songs kept in each of KEYS[5] and KEYS[6]
-- ARGV[9..13] templates: session, song listeners, song plays, trending
--          minute, unique listeners of a day
-- ARGV[14..] 10 fields per event: offset, type, session, user, song,
--           position_ms, ts_ms, minute (yyyymmddhhmm), day (yyyymmdd),
--           source (socket, subsonic); empty strings for nulls.
-- Events below the stored offset were applied before and are skipped; the
-- next offset is stored in the same atomic step as the counters it covers.
-- Every key named after a song (or a session, or a day) gets an expiry, so
-- ids that stop appearing leave nothing behind; the ranked sets (KEYS[5],
-- KEYS[6]) hold at most ARGV[8] songs, each until the song bound after
-- its last play.
local offsets, presence, plays_total, playing = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local most_played, recently_played = KEYS[5], KEYS[6]
local partition = ARGV[1]
local next_offset = tonumber(ARGV[2])
local session_ttl = tonumber(ARGV[3])
local trending_ttl = tonumber(ARGV[4])
local notify = ARGV[5] == '1'
local song_ttl_ms = tonumber(ARGV[6]) * 1000
local changes = ARGV[7]
local ranked_max = tonumber(ARGV[8])
local session_ttl_ms = session_ttl * 1000

local session_key, listeners, plays_key = template(ARGV[9]), template(ARGV[10]), template(ARGV[11])
local trending_key, uniq_key = template(ARGV[12]), template(ARGV[13])
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

-- The ranked sets hold a song's counter as it stands after its play (so
-- they start again with it after the bound) and the time of its latest
-- play (GT: partitions may arrive out of time order). A song is in both
-- or in neither.
local function rank(song, count, ts)
  redis.call('ZADD', most_played, count, song)
  redis.call('ZADD', recently_played, 'GT', ts, song)
end
-- Songs last played before the song bound (their counters are gone), and
-- the least recently played beyond `ranked_max`, leave both ranked sets.
local function bound_ranked()
  local expired = redis.call('ZCOUNT', recently_played, '-inf', '(' .. (now_ms - song_ttl_ms))
  local drop = math.max(expired, redis.call('ZCARD', recently_played) - ranked_max)
  if drop > 0 then
    local gone = redis.call('ZRANGE', recently_played, 0, drop - 1)
    redis.call('ZREMRANGEBYRANK', recently_played, 0, drop - 1)
    for from = 1, #gone, 1000 do
      redis.call('ZREM', most_played, unpack(gone, from, math.min(from + 999, #gone)))
    end
  end
end

local applied = 0
local i = 14
while i + 9 <= #ARGV do
  local offset = tonumber(ARGV[i])
  local kind, session, user, song = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local position, ts, minute, day, source = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8], ARGV[i + 9]
  i = i + 10
  if offset >= stored then
    applied = applied + 1
    local skey = session_key(session)
    local current = redis.call('HGET', skey, 'song') or ''
    local state = redis.call('HGET', skey, 'state') or ''
    if kind == 'disconnected' then
      redis.call('ZREM', presence, session)
      redis.call('ZREM', playing, session)
      if current ~= '' then redis.call('ZREM', listeners(current), session); mark(current) end
      redis.call('DEL', skey)
    else
      redis.call('ZADD', presence, ts, session)
      if song == '' then song = current end
      local fields = {'updated', ts}
      if kind == 'connected' then
        fields = {'updated', ts, 'state', 'connected'}
      elseif kind == 'play' then
        if current ~= '' and current ~= song then
          redis.call('ZREM', listeners(current), session); mark(current)
        end
        touch_listeners(song, session, ts)
        redis.call('ZADD', playing, ts, session)
        local plays = plays_key(song)
        local count = redis.call('INCR', plays)
        expire_at_least(plays, tonumber(ts) + song_ttl_ms)
        -- A play older than the bound leaves no counter, and no rank.
        if redis.call('EXISTS', plays) == 1 then rank(song, count, ts) end
        redis.call('INCR', plays_total)
        local trending = trending_key(minute)
        redis.call('ZINCRBY', trending, 1, song)
        redis.call('EXPIRE', trending, trending_ttl)
        local uniq = uniq_key(day)
        redis.call('PFADD', uniq, user ~= '' and ('user:' .. user) or ('session:' .. session))
        expire_at_least(uniq, tonumber(ts) + song_ttl_ms)
        fields = {'updated', ts, 'state', 'playing', 'song', song, 'position', position}
      elseif kind == 'pause' or kind == 'ended' then
        if song ~= '' then redis.call('ZREM', listeners(song), session) end
        redis.call('ZREM', playing, session)
        fields = {'updated', ts, 'state', kind == 'pause' and 'paused' or 'ended', 'song', song, 'position', position}
      elseif kind == 'resume' or kind == 'seek' then
        if song ~= '' and (kind == 'resume' or state == 'playing') then
          touch_listeners(song, session, ts)
          redis.call('ZADD', playing, ts, session)
        end
        fields = {'updated', ts, 'state', kind == 'resume' and 'playing' or state, 'song', song, 'position', position}
      elseif kind == 'heartbeat' then
        if current ~= '' and state == 'playing' then
          touch_listeners(current, session, ts)
          redis.call('ZADD', playing, ts, session)
        end
        song = ''
      end
      mark(song)
      table.insert(fields, 'source'); table.insert(fields, source)
      if user ~= '' then table.insert(fields, 'user'); table.insert(fields, user) end
      redis.call('HSET', skey, unpack(fields))
      redis.call('EXPIRE', skey, session_ttl)
    end
  end
end

-- Sessions that stopped without a word (their events stopped) leave the
-- playing set after the session TTL, as their hash does.
redis.call('ZREMRANGEBYSCORE', playing, '-inf', '(' .. (now_ms - session_ttl_ms))
bound_ranked()
redis.call('HSET', offsets, partition, next_offset)
if notify then
  local quoted = {}
  for _, song in ipairs(changed_list) do table.insert(quoted, cjson.encode(song)) end
  redis.call('PUBLISH', changes,
    '{"partition":' .. partition .. ',"next_offset":' .. next_offset .. ',"songs":[' .. table.concat(quoted, ',') .. ']}')
end
return {applied, next_offset}
