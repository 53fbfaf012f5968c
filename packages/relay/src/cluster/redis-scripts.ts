/**
 * The Lua scripts of a Redis-backed relay. Each runs atomically in Redis, so
 * every step that must not interleave with another relay's is one script:
 * assigning a `seq`, storing the message, remembering its `cid` and
 * publishing it; claiming a nickname; taking a session back; entering and
 * leaving a room with its presence announcement; sweeping dead relays.
 *
 * Key names follow `redis-keys.ts`. The store's scripts are in
 * `store-scripts.ts`, the cluster's in `cluster-scripts.ts`; this file
 * registers them all.
 */
import type { Redis } from 'ioredis';
import { BEAT, CONFIRM_SECRET, END, ENTER, FIND, LEAVE, LIB, OPEN, REAP, RECONCILE, RELEASE, RESTORE_SECRET, RESUME, SWEEP } from './cluster-scripts.js';
import { APPEND_DIRECT, APPEND_ROOM, DROP_LOG, REPLAY, ROOM_HEAD } from './store-scripts.js';

/** Every script: its Lua and how many of its arguments are keys. */
export const SCRIPTS = {
  parleyAppendRoom: { numberOfKeys: 4, lua: APPEND_ROOM },
  parleyAppendDirect: { numberOfKeys: 7, lua: APPEND_DIRECT },
  parleyReplay: { numberOfKeys: 2, lua: REPLAY },
  parleyRoomHead: { numberOfKeys: 2, lua: ROOM_HEAD },
  // the caller passes how many keys (a room has one more than an inbox)
  parleyDropLog: { numberOfKeys: undefined, lua: DROP_LOG },
  parleyOpen: { numberOfKeys: 0, lua: LIB + OPEN },
  parleyResume: { numberOfKeys: 0, lua: LIB + RESUME },
  parleyRestoreSecret: { numberOfKeys: 0, lua: LIB + RESTORE_SECRET },
  parleyConfirmSecret: { numberOfKeys: 0, lua: LIB + CONFIRM_SECRET },
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
