/**
 * The Lua scripts of the Redis store: each stores or reads one room's or
 * inbox's log atomically. Their keys come in `KEYS` (see `redis-keys.ts`).
 *
 * The two that store a message take a deadline (ms since the epoch, in
 * Redis's clock): run later than that (Redis was frozen, or the command was
 * held on the way or resent after a reconnect), they store and publish
 * nothing and answer `{2}`, because the relay has answered the sender
 * `unavailable` by then or is about to (see `redis-timing.ts`).
 */

/** Answers `{2}` (and the script stops) when Redis's clock is past ARGV[n], the deadline. */
const PAST_DEADLINE = (n: number): string => `
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[${n}]) then return {2} end
`;

/**
 * Stores a room message: KEYS seq, log, cids, epoch; ARGV idempotency key,
 * JSON head, limit, channel, session to skip, new epoch (kept only when the
 * room has none: its sequence starts here), deadline. Answers {0, seq},
 * {1, the message stored before under this key}, or {2}: too late, nothing
 * stored.
 */
export const APPEND_ROOM = `${PAST_DEADLINE(7)}
local old = redis.call('ZSCORE', KEYS[3], ARGV[1])
if old then
  local m = redis.call('ZRANGEBYSCORE', KEYS[2], old, old)
  if m[1] then return {1, m[1]} end
  redis.call('ZREM', KEYS[3], ARGV[1])
end
local seq = redis.call('INCR', KEYS[1])
if seq == 1 then redis.call('SET', KEYS[4], ARGV[6], 'NX') end
local json = ARGV[2] .. seq .. '}'
redis.call('ZADD', KEYS[2], seq, json)
redis.call('ZADD', KEYS[3], seq, ARGV[1])
local cut = seq - tonumber(ARGV[3])
if cut > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', cut)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', cut)
end
redis.call('PUBLISH', ARGV[4], ARGV[5] .. '\\n' .. json)
return {0, seq}
`;

/**
 * Stores a direct message in both inboxes: KEYS to seq/log/cids, from
 * seq/log/cids, the addressee's user hash; ARGV cid, JSON head, limit, to
 * channel, from channel, session to skip, resume window, deadline. Answers
 * {0, to seq, from seq}, {1, the sender's copy stored before under this
 * cid}, or {2}: too late, nothing stored.
 */
export const APPEND_DIRECT = `${PAST_DEADLINE(8)}
local old = redis.call('ZSCORE', KEYS[6], ARGV[1])
if old then
  local m = redis.call('ZRANGEBYSCORE', KEYS[5], old, old)
  if m[1] then return {1, m[1]} end
  redis.call('ZREM', KEYS[6], ARGV[1])
end
local limit = tonumber(ARGV[3])
local function put(seqk, logk, cidk)
  local seq = redis.call('INCR', seqk)
  local json = ARGV[2] .. seq .. '}'
  redis.call('ZADD', logk, seq, json)
  local cut = seq - limit
  if cut > 0 then
    redis.call('ZREMRANGEBYSCORE', logk, '-inf', cut)
    redis.call('ZREMRANGEBYSCORE', cidk, '-inf', cut)
  end
  return seq, json
end
local toSeq, toJson = put(KEYS[1], KEYS[2], KEYS[3])
local self = KEYS[1] == KEYS[4]
local fromSeq, fromJson = toSeq, toJson
if not self then fromSeq, fromJson = put(KEYS[4], KEYS[5], KEYS[6]) end
redis.call('ZADD', KEYS[6], fromSeq, ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[6] .. '\\n' .. toJson)
if not self then redis.call('PUBLISH', ARGV[5], ARGV[6] .. '\\n' .. fromJson) end
if redis.call('EXISTS', KEYS[7]) == 0 then
  -- the addressee ended meanwhile: its inbox must not outlive a resume window
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[7]) end
end
return {0, toSeq, fromSeq}
`;

/** Messages after a cursor: KEYS seq, log; ARGV since, most to answer (-1: all). Answers {last seq, first retained seq, messages}. */
export const REPLAY = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local first = last + 1
local head = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if head[2] then first = tonumber(head[2]) end
local since = tonumber(ARGV[1])
local from = since + 1
if since > last then from = first end
return {last, first, redis.call('ZRANGEBYSCORE', KEYS[2], from, '+inf', 'LIMIT', 0, tonumber(ARGV[2]))}
`;

/**
 * A room's latest `seq` and epoch, starting an epoch when it has none:
 * KEYS seq, epoch; ARGV new epoch. Answers {seq, epoch}.
 */
export const ROOM_HEAD = `
redis.call('SET', KEYS[2], ARGV[1], 'NX')
return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('GET', KEYS[2])}
`;

/**
 * Forgets a log unless someone still holds it: KEYS guard (members hash or
 * sessions set), then the log's keys (seq, log, cids and, for a room, epoch).
 */
export const DROP_LOG = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('DEL', unpack(KEYS, 2))
`;
