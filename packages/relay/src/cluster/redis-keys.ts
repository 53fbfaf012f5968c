/**
 * Names of every Redis key and channel a relay uses, all under one prefix
 * (default `parley:`). Parts are joined with `/`, which neither room names
 * nor ids may contain, so no two names collide. The cluster's Lua scripts
 * (`cluster-scripts.ts`) build the same names from the prefix.
 *
 * | name | type | what |
 * | --- | --- | --- |
 * | `room/<room>/seq` | string | the room's latest `seq` |
 * | `room/<room>/epoch` | string | the epoch of the room's current run of `seq`s, set once (SET NX) by the first enter or append after the room's keys were gone; it lives and expires with them |
 * | `room/<room>/log` | sorted set | retained messages (encoded JSON), scored by `seq` |
 * | `room/<room>/cids` | sorted set | idempotency keys (`user\ncid`), scored by the `seq` they acked |
 * | `room/<room>/members` | hash | member JSON → sessions of that user in the room, cluster-wide |
 * | `user/<id>` | hash | `member` JSON, `anon` (1/0), `key` (nickname key) |
 * | `user/<id>/sessions` | set | the user's session ids |
 * | `user/<id>/seq`, `/log`, `/cids` | | the private inbox, as for rooms (cids: the user's own `cid`s) |
 * | `nick/<key>` | set | user ids holding a nickname key |
 * | `session/<id>` | hash | `user`, `owner` (node id, empty while orphaned), `kind`, `secret` (hash), `prev` (hash of the secret it was last taken back with, valid until the client shows it got `secret`; empty otherwise), `exp`, `allowed` |
 * | `session/<id>/rooms` | hash | room → `seq` when the session joined |
 * | `secret/<sha256>` | string | the session id a resume secret (current or `prev`) belongs to |
 * | `node/<id>` | string, expiring | a relay's heartbeat |
 * | `node/<id>/sessions` | set | sessions a relay owns |
 * | `nodes` | set | relays that announced themselves |
 * | `orphans` | sorted set | sessions of dead relays, scored by when they end |
 * | channel `ch/room/<room>` | pub/sub | the room's messages, presence and typing |
 * | channel `ch/user/<id>` | pub/sub | the user's direct messages |
 * | channel `ch/node/<id>` | pub/sub | orders to one relay (`moved <session>`) |
 *
 * A published payload is `<session to skip>\n<encoded envelope>`; the first
 * part is empty when everybody gets it.
 */

/** The keys of one sequenced log (a room's history or a user's inbox). */
export interface LogKeys {
  seq: string;
  log: string;
  cids: string;
}

/** A room's log keys and its epoch. */
export interface RoomKeys extends LogKeys {
  epoch: string;
}

/**
 * @example
 * ```ts
 * const keys = new RedisKeys('parley:');
 * keys.room('lobby').log;     // 'parley:room/lobby/log'
 * keys.roomChannel('lobby');  // 'parley:ch/room/lobby'
 * ```
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  room(room: string): RoomKeys {
    const base = `${this.prefix}room/${room}`;
    return { seq: `${base}/seq`, log: `${base}/log`, cids: `${base}/cids`, epoch: `${base}/epoch` };
  }

  inbox(user: string): LogKeys {
    const base = `${this.prefix}user/${user}`;
    return { seq: `${base}/seq`, log: `${base}/log`, cids: `${base}/cids` };
  }

  members(room: string): string {
    return `${this.prefix}room/${room}/members`;
  }

  user(id: string): string {
    return `${this.prefix}user/${id}`;
  }

  roomChannel(room: string): string {
    return `${this.prefix}ch/room/${room}`;
  }

  userChannel(id: string): string {
    return `${this.prefix}ch/user/${id}`;
  }

  nodeChannel(node: string): string {
    return `${this.prefix}ch/node/${node}`;
  }

  /** A pattern matching every key under the prefix (for SCAN, e.g. in tests). */
  get pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, (c) => '\\' + c)}*`;
  }
}
