/**
 * The Lua scripts of the cluster directory and the node heartbeat: claiming
 * nicknames, opening, taking back and ending sessions, presence, and
 * sweeping dead relays. Each is one atomic step. They build key names from
 * the prefix (`ARGV[1]`, see `redis-keys.ts`), which needs a single Redis
 * primary (Redis Cluster is not supported).
 */

/** Helpers shared by the cluster scripts. `P` is the key prefix. */
export const LIB = `
local P = ARGV[1]
local function presence(room, event, member)
  return '{"type":"presence","room":"' .. room .. '","event":"' .. event .. '","user":' .. member .. '}'
end
local function room_keys(room, ttl)
  local rk = P .. 'room/' .. room
  for _, part in ipairs({'/seq', '/log', '/cids', '/epoch'}) do
    if ttl then redis.call('PEXPIRE', rk .. part, ttl) else redis.call('PERSIST', rk .. part) end
  end
end
-- one session of the user behind member leaves room; the last one is announced
local function leave_room(room, member, keep, window)
  if not member then return end
  local mk = P .. 'room/' .. room .. '/members'
  if redis.call('HINCRBY', mk, member, -1) > 0 then return end
  redis.call('HDEL', mk, member)
  redis.call('PUBLISH', P .. 'ch/room/' .. room, '\\n' .. presence(room, 'leave', member))
  if room ~= keep and redis.call('EXISTS', mk) == 0 then room_keys(room, window) end
end
-- ends a session owned by owner ('' for an orphan): 1 done, 0 unknown, -1 owned by another
local function end_session(sid, owner, keep, window)
  local sk = P .. 'session/' .. sid
  local s = redis.call('HMGET', sk, 'owner', 'user', 'secret', 'prev')
  if not s[1] then
    redis.call('ZREM', P .. 'orphans', sid)
    return 0
  end
  if s[1] ~= owner then return -1 end
  local uk = P .. 'user/' .. s[2]
  local member = redis.call('HGET', uk, 'member')
  for _, room in ipairs(redis.call('HKEYS', sk .. '/rooms')) do leave_room(room, member, keep, window) end
  redis.call('DEL', sk, sk .. '/rooms')
  if s[3] and s[3] ~= '' then redis.call('DEL', P .. 'secret/' .. s[3]) end
  if s[4] and s[4] ~= '' then redis.call('DEL', P .. 'secret/' .. s[4]) end
  if owner ~= '' then redis.call('SREM', P .. 'node/' .. owner .. '/sessions', sid) end
  redis.call('ZREM', P .. 'orphans', sid)
  redis.call('SREM', uk .. '/sessions', sid)
  if redis.call('EXISTS', uk .. '/sessions') == 0 then
    local key = redis.call('HGET', uk, 'key')
    if key then redis.call('SREM', P .. 'nick/' .. key, s[2]) end
    redis.call('DEL', uk, uk .. '/seq', uk .. '/log', uk .. '/cids')
  end
  return 1
end
-- a session whose relay is gone waits to be resumed elsewhere (a plain seed session ends at once)
local function orphan(sid, owner, now, window)
  local sk = P .. 'session/' .. sid
  local s = redis.call('HMGET', sk, 'owner', 'kind')
  if s[1] ~= owner then return end
  redis.call('HSET', sk, 'owner', '')
  local at = now + window
  if s[2] == 'seed' then at = now end
  redis.call('ZADD', P .. 'orphans', at, sid)
end
`;

/**
 * Opens a session, claiming its user: ARGV P, anon (1/0), user id, member
 * JSON, nickname key, session id, secret hash (or ''), node, kind, token
 * expiry (or ''), allowed rooms JSON (or ''). Answers the user's member JSON,
 * or false when the nickname (or the id) is held, or, for a new token user,
 * when an anonymous user holds its name's key.
 */
export const OPEN = `
local anon, uid, member, key, sid, secret, node = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local uk = P .. 'user/' .. uid
local nk = P .. 'nick/' .. key
local held = redis.call('HGET', uk, 'anon')
if anon == '1' then
  if held or redis.call('EXISTS', nk) == 1 then return false end
elseif held == '1' then
  return false
elseif not held then
  -- a new token user may not show a name that looks like an anonymous visitor's
  for _, id in ipairs(redis.call('SMEMBERS', nk)) do
    if redis.call('HGET', P .. 'user/' .. id, 'anon') == '1' then return false end
  end
end
if held then
  member = redis.call('HGET', uk, 'member')
else
  redis.call('HSET', uk, 'member', member, 'anon', anon, 'key', key)
  redis.call('SADD', nk, uid)
end
redis.call('SADD', uk .. '/sessions', sid)
redis.call('HSET', P .. 'session/' .. sid, 'user', uid, 'owner', node, 'kind', ARGV[9], 'secret', secret, 'exp', ARGV[10], 'allowed', ARGV[11])
if secret ~= '' then redis.call('SET', P .. 'secret/' .. secret, sid) end
redis.call('SADD', P .. 'node/' .. node .. '/sessions', sid)
return member
`;

/**
 * Takes a session back by its secret and rotates the secret: ARGV P, old
 * hash, new hash, node, now. The secret used stays valid as the session's
 * `prev` (its welcome may be lost) until CONFIRM_SECRET or a resume with the
 * new one; any other secret of the session is dropped. Tells the previous
 * owner (`moved <sid>`).
 * Answers {sid, previous owner, user id, member, anon, key, exp, allowed,
 * {room, joined seq, ...}} or false.
 */
export const RESUME = `
local old, new, node, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local sid = redis.call('GET', P .. 'secret/' .. old)
if not sid then return false end
local sk = P .. 'session/' .. sid
local s = redis.call('HMGET', sk, 'owner', 'user', 'kind', 'exp', 'allowed', 'secret', 'prev')
if not s[1] or s[3] ~= 'chat' then return false end
if s[4] ~= '' and tonumber(s[4]) <= now then return false end
local u = redis.call('HMGET', P .. 'user/' .. s[2], 'member', 'anon', 'key')
if not u[1] then return false end
for _, h in ipairs({s[6] or '', s[7] or ''}) do
  if h ~= '' and h ~= old then redis.call('DEL', P .. 'secret/' .. h) end
end
redis.call('SET', P .. 'secret/' .. new, sid)
redis.call('HSET', sk, 'secret', new, 'prev', old, 'owner', node)
local prev = s[1]
if prev ~= node then
  if prev ~= '' then
    redis.call('SREM', P .. 'node/' .. prev .. '/sessions', sid)
    redis.call('PUBLISH', P .. 'ch/node/' .. prev, 'moved ' .. sid)
  end
  redis.call('SADD', P .. 'node/' .. node .. '/sessions', sid)
end
redis.call('ZREM', P .. 'orphans', sid)
return {sid, prev, s[2], u[1], u[2], u[3], s[4], s[5], redis.call('HGETALL', sk .. '/rooms')}
`;

/** Gives a session its previous secret back (its welcome never reached the client): ARGV P, sid, old hash, current hash. */
export const RESTORE_SECRET = `
local sid, old, cur = ARGV[2], ARGV[3], ARGV[4]
if redis.call('GET', P .. 'secret/' .. cur) ~= sid then return 0 end
local sk = P .. 'session/' .. sid
local prev = redis.call('HGET', sk, 'prev')
if prev and prev ~= '' and prev ~= old then redis.call('DEL', P .. 'secret/' .. prev) end
redis.call('DEL', P .. 'secret/' .. cur)
redis.call('SET', P .. 'secret/' .. old, sid)
redis.call('HSET', sk, 'secret', old, 'prev', '')
return 1
`;

/**
 * The client got the session's current secret (a pong behind its welcome):
 * ARGV P, sid, current hash. Drops the previous secret when the current one
 * is still the session's. Answers 1 when dropped.
 */
export const CONFIRM_SECRET = `
local sid, cur = ARGV[2], ARGV[3]
local sk = P .. 'session/' .. sid
local s = redis.call('HMGET', sk, 'secret', 'prev')
if s[1] ~= cur or not s[2] or s[2] == '' then return 0 end
if redis.call('GET', P .. 'secret/' .. s[2]) == sid then redis.call('DEL', P .. 'secret/' .. s[2]) end
redis.call('HSET', sk, 'prev', '')
return 1
`;

/**
 * Puts a session in a room: ARGV P, sid, node, room, new epoch (kept only
 * when the room has none), the room's latest seq when a database store
 * keeps it ('' reads the Redis store's). The user's first session there is announced (to
 * everyone but this session). Answers {seq when the session joined, latest
 * seq, member JSONs, epoch} or false when the session is not this node's.
 */
export const ENTER = `
local sid, node, room = ARGV[2], ARGV[3], ARGV[4]
local sk = P .. 'session/' .. sid
local s = redis.call('HMGET', sk, 'owner', 'user')
if s[1] ~= node then return false end
local rk = P .. 'room/' .. room
redis.call('SET', rk .. '/epoch', ARGV[5], 'NX')
local seq = tonumber(ARGV[6]) or tonumber(redis.call('GET', rk .. '/seq') or '0')
local joined = seq
local member = redis.call('HGET', P .. 'user/' .. s[2], 'member')
if not member then return false end
if redis.call('HSETNX', sk .. '/rooms', room, seq) == 1 then
  if redis.call('HINCRBY', rk .. '/members', member, 1) == 1 then
    redis.call('PUBLISH', P .. 'ch/room/' .. room, sid .. '\\n' .. presence(room, 'join', member))
  end
  room_keys(room, nil)
else
  joined = tonumber(redis.call('HGET', sk .. '/rooms', room))
end
return {joined, seq, redis.call('HKEYS', rk .. '/members'), redis.call('GET', rk .. '/epoch')}
`;

/** Takes a session out of a room: ARGV P, sid, node, room, room kept forever, resume window. False when not this node's. */
export const LEAVE = `
local sid, node, room = ARGV[2], ARGV[3], ARGV[4]
local sk = P .. 'session/' .. sid
local s = redis.call('HMGET', sk, 'owner', 'user')
if s[1] ~= node then return false end
if redis.call('HDEL', sk .. '/rooms', room) == 0 then return 0 end
leave_room(room, redis.call('HGET', P .. 'user/' .. s[2], 'member'), ARGV[5], tonumber(ARGV[6]))
return 1
`;

/** Ends a session: ARGV P, sid, owner, room kept forever, resume window. */
export const END = `return end_session(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]))`;

/** A user by id, or an anonymous user by nickname key: ARGV P, id, key. Answers the member JSON or false. */
export const FIND = `
local m = redis.call('HGET', P .. 'user/' .. ARGV[2], 'member')
if m then return m end
for _, id in ipairs(redis.call('SMEMBERS', P .. 'nick/' .. ARGV[3])) do
  local u = redis.call('HMGET', P .. 'user/' .. id, 'member', 'anon')
  if u[2] == '1' then return u[1] end
end
return false
`;

/** Refreshes a node's heartbeat: ARGV P, node, ttl. Answers 1 when the key still existed (0: first beat, or declared dead meanwhile). */
export const BEAT = `
local k = P .. 'node/' .. ARGV[2]
local existed = redis.call('EXISTS', k)
redis.call('SET', k, '1', 'PX', ARGV[3])
redis.call('SADD', P .. 'nodes', ARGV[2])
return existed
`;

/** Declares nodes without a heartbeat dead and orphans their sessions: ARGV P, now, resume window. Answers {dead, live}. */
export const SWEEP = `
local now, window = tonumber(ARGV[2]), tonumber(ARGV[3])
local dead = 0
for _, n in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
  if redis.call('EXISTS', P .. 'node/' .. n) == 0 then
    local nk = P .. 'node/' .. n .. '/sessions'
    for _, sid in ipairs(redis.call('SMEMBERS', nk)) do orphan(sid, n, now, window) end
    redis.call('DEL', nk)
    redis.call('SREM', P .. 'nodes', n)
    dead = dead + 1
  end
end
return {dead, redis.call('SCARD', P .. 'nodes')}
`;

/** Ends orphans whose time is up: ARGV P, now, room kept forever, resume window, at most. Answers how many. */
export const REAP = `
local due = redis.call('ZRANGEBYSCORE', P .. 'orphans', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[5]))
for _, sid in ipairs(due) do
  if end_session(sid, '', ARGV[3], tonumber(ARGV[4])) ~= 1 then redis.call('ZREM', P .. 'orphans', sid) end
end
return #due
`;

/** A node leaves on purpose: its sessions become orphans at once. ARGV P, node, now, resume window. */
export const RELEASE = `
local node = ARGV[2]
local nk = P .. 'node/' .. node .. '/sessions'
for _, sid in ipairs(redis.call('SMEMBERS', nk)) do orphan(sid, node, tonumber(ARGV[3]), tonumber(ARGV[4])) end
redis.call('DEL', nk, P .. 'node/' .. node)
redis.call('SREM', P .. 'nodes', node)
return 1
`;

/**
 * After an outage: ARGV P, node, now, resume window, then the session ids
 * this node holds. Takes back its orphaned sessions, orphans sessions Redis
 * says it owns but it does not hold, and answers {sid, 'gone' | 'moved', ...}
 * for sessions it holds that ended or moved meanwhile.
 */
export const RECONCILE = `
local node, now, window = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local nk = P .. 'node/' .. node .. '/sessions'
local held, lost = {}, {}
for i = 5, #ARGV do
  local sid = ARGV[i]
  held[sid] = true
  local sk = P .. 'session/' .. sid
  local owner = redis.call('HGET', sk, 'owner')
  if owner == '' then
    redis.call('HSET', sk, 'owner', node)
    redis.call('ZREM', P .. 'orphans', sid)
    owner = node
  end
  if owner == node then
    redis.call('SADD', nk, sid)
  else
    table.insert(lost, sid)
    if owner then table.insert(lost, 'moved') else table.insert(lost, 'gone') end
  end
end
for _, sid in ipairs(redis.call('SMEMBERS', nk)) do
  if not held[sid] then
    orphan(sid, node, now, window)
    redis.call('SREM', nk, sid)
  end
end
return lost
`;
