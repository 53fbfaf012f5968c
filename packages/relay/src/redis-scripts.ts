/**
 * The Lua scripts of a Redis-backed relay. Each runs atomically in Redis, so
 * every step that must not interleave with another relay's is one script:
 * assigning a `seq`, storing the message, remembering its `cid` and
 * publishing it; claiming a nickname; taking a session back; entering and
 * leaving a room with its presence announcement; sweeping dead relays.
 *
 * Key names follow `redis-keys.ts`. The store scripts receive their keys in
 * `KEYS`; the cluster scripts build key names from the prefix (`ARGV[1]`),
 * which needs a single Redis primary (Redis Cluster is not supported).
 */
import type { Redis } from 'ioredis';

/** Helpers shared by the cluster scripts. `P` is the key prefix. */
const LIB = `
local P = ARGV[1]
local function presence(room, event, member)
  return '{"type":"presence","room":"' .. room .. '","event":"' .. event .. '","user":' .. member .. '}'
end
local function room_keys(room, ttl)
  local rk = P .. 'room/' .. room
  for _, part in ipairs({'/seq', '/log', '/cids'}) do
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
  local s = redis.call('HMGET', sk, 'owner', 'user', 'secret')
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

/** Stores a room message: KEYS seq, log, cids; ARGV idempotency key, JSON head, limit, channel, session to skip. */
const APPEND_ROOM = `
local old = redis.call('ZSCORE', KEYS[3], ARGV[1])
if old then
  local m = redis.call('ZRANGEBYSCORE', KEYS[2], old, old)
  if m[1] then return {1, m[1]} end
  redis.call('ZREM', KEYS[3], ARGV[1])
end
local seq = redis.call('INCR', KEYS[1])
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
 * channel, from channel, session to skip, resume window.
 */
const APPEND_DIRECT = `
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

/** Messages after a cursor: KEYS seq, log; ARGV since. Answers {last seq, first retained seq, messages}. */
const REPLAY = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local first = last + 1
local head = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if head[2] then first = tonumber(head[2]) end
local since = tonumber(ARGV[1])
local from = since + 1
if since > last then from = first end
return {last, first, redis.call('ZRANGEBYSCORE', KEYS[2], from, '+inf')}
`;

/** Forgets a log unless someone still holds it: KEYS seq, log, cids, guard (members hash or sessions set). */
const DROP_LOG = `
if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
`;

/**
 * Opens a session, claiming its user: ARGV P, anon (1/0), user id, member
 * JSON, nickname key, session id, secret hash (or ''), node, kind, token
 * expiry (or ''), allowed rooms JSON (or ''). Answers the user's member JSON,
 * or false when the nickname (or the id) is held.
 */
const OPEN = `
local anon, uid, member, key, sid, secret, node = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local uk = P .. 'user/' .. uid
local nk = P .. 'nick/' .. key
local held = redis.call('HGET', uk, 'anon')
if anon == '1' then
  if held or redis.call('EXISTS', nk) == 1 then return false end
elseif held == '1' then
  return false
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
 * hash, new hash, node, now. Tells the previous owner (`moved <sid>`).
 * Answers {sid, previous owner, user id, member, anon, key, exp, allowed,
 * {room, joined seq, ...}} or false.
 */
const RESUME = `
local old, new, node, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local sid = redis.call('GET', P .. 'secret/' .. old)
if not sid then return false end
local sk = P .. 'session/' .. sid
local s = redis.call('HMGET', sk, 'owner', 'user', 'kind', 'exp', 'allowed')
if not s[1] or s[3] ~= 'chat' then return false end
if s[4] ~= '' and tonumber(s[4]) <= now then return false end
local u = redis.call('HMGET', P .. 'user/' .. s[2], 'member', 'anon', 'key')
if not u[1] then return false end
redis.call('DEL', P .. 'secret/' .. old)
redis.call('SET', P .. 'secret/' .. new, sid)
redis.call('HSET', sk, 'secret', new, 'owner', node)
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
const RESTORE_SECRET = `
local sid, old, cur = ARGV[2], ARGV[3], ARGV[4]
if redis.call('GET', P .. 'secret/' .. cur) ~= sid then return 0 end
redis.call('DEL', P .. 'secret/' .. cur)
redis.call('SET', P .. 'secret/' .. old, sid)
redis.call('HSET', P .. 'session/' .. sid, 'secret', old)
return 1
`;

/**
 * Puts a session in a room: ARGV P, sid, node, room. The user's first
 * session there is announced (to everyone but this session). Answers
 * {seq when the session joined, latest seq, member JSONs} or false when the
 * session is not this node's.
 */
const ENTER = `
local sid, node, room = ARGV[2], ARGV[3], ARGV[4]
local sk = P .. 'session/' .. sid
local s = redis.call('HMGET', sk, 'owner', 'user')
if s[1] ~= node then return false end
local rk = P .. 'room/' .. room
local seq = tonumber(redis.call('GET', rk .. '/seq') or '0')
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
return {joined, seq, redis.call('HKEYS', rk .. '/members')}
`;

/** Takes a session out of a room: ARGV P, sid, node, room, room kept forever, resume window. False when not this node's. */
const LEAVE = `
local sid, node, room = ARGV[2], ARGV[3], ARGV[4]
local sk = P .. 'session/' .. sid
local s = redis.call('HMGET', sk, 'owner', 'user')
if s[1] ~= node then return false end
if redis.call('HDEL', sk .. '/rooms', room) == 0 then return 0 end
leave_room(room, redis.call('HGET', P .. 'user/' .. s[2], 'member'), ARGV[5], tonumber(ARGV[6]))
return 1
`;

/** Ends a session: ARGV P, sid, owner, room kept forever, resume window. */
const END = `return end_session(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]))`;

/** A user by id, or an anonymous user by nickname key: ARGV P, id, key. Answers the member JSON or false. */
const FIND = `
local m = redis.call('HGET', P .. 'user/' .. ARGV[2], 'member')
if m then return m end
for _, id in ipairs(redis.call('SMEMBERS', P .. 'nick/' .. ARGV[3])) do
  local u = redis.call('HMGET', P .. 'user/' .. id, 'member', 'anon')
  if u[2] == '1' then return u[1] end
end
return false
`;

/** Refreshes a node's heartbeat: ARGV P, node, ttl. Answers 1 when the key still existed (0: first beat, or declared dead meanwhile). */
const BEAT = `
local k = P .. 'node/' .. ARGV[2]
local existed = redis.call('EXISTS', k)
redis.call('SET', k, '1', 'PX', ARGV[3])
redis.call('SADD', P .. 'nodes', ARGV[2])
return existed
`;

/** Declares nodes without a heartbeat dead and orphans their sessions: ARGV P, now, resume window. Answers {dead, live}. */
const SWEEP = `
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
const REAP = `
local due = redis.call('ZRANGEBYSCORE', P .. 'orphans', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[5]))
for _, sid in ipairs(due) do
  if end_session(sid, '', ARGV[3], tonumber(ARGV[4])) ~= 1 then redis.call('ZREM', P .. 'orphans', sid) end
end
return #due
`;

/** A node leaves on purpose: its sessions become orphans at once. ARGV P, node, now, resume window. */
const RELEASE = `
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
const RECONCILE = `
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

/** Every script: its Lua and how many of its arguments are keys. */
export const SCRIPTS = {
  parleyAppendRoom: { numberOfKeys: 3, lua: APPEND_ROOM },
  parleyAppendDirect: { numberOfKeys: 7, lua: APPEND_DIRECT },
  parleyReplay: { numberOfKeys: 2, lua: REPLAY },
  parleyDropLog: { numberOfKeys: 4, lua: DROP_LOG },
  parleyOpen: { numberOfKeys: 0, lua: LIB + OPEN },
  parleyResume: { numberOfKeys: 0, lua: LIB + RESUME },
  parleyRestoreSecret: { numberOfKeys: 0, lua: LIB + RESTORE_SECRET },
  parleyEnter: { numberOfKeys: 0, lua: LIB + ENTER },
  parleyLeave: { numberOfKeys: 0, lua: LIB + LEAVE },
  parleyEnd: { numberOfKeys: 0, lua: LIB + END },
  parleyFind: { numberOfKeys: 0, lua: LIB + FIND },
  parleyBeat: { numberOfKeys: 0, lua: LIB + BEAT },
  parleySweep: { numberOfKeys: 0, lua: LIB + SWEEP },
  parleyReap: { numberOfKeys: 0, lua: LIB + REAP },
  parleyRelease: { numberOfKeys: 0, lua: LIB + RELEASE },
  parleyReconcile: { numberOfKeys: 0, lua: LIB + RECONCILE },
} as const;

/** A script's name. */
export type ScriptName = keyof typeof SCRIPTS;

/** Runs a script by name with its keys and arguments, answering the raw reply. */
export type RunScript = (name: ScriptName, ...args: Array<string | number | Buffer>) => Promise<unknown>;

/**
 * Registers every script on a connection (EVALSHA, falling back to EVAL
 * once after a Redis restart) and answers a function that runs one.
 *
 * @example
 * ```ts
 * const run = defineScripts(redis);
 * await run('parleyBeat', 'parley:', 'n_1', 15000);
 * ```
 */
export function defineScripts(redis: Redis): RunScript {
  for (const [name, def] of Object.entries(SCRIPTS)) redis.defineCommand(name, def);
  const commands = redis as unknown as Record<ScriptName, (...args: Array<string | number | Buffer>) => Promise<unknown>>;
  return (name, ...args) => commands[name](...args);
}
