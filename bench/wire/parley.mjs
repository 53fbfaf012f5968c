// Wire format of Parley (docs/protocol.md, subprotocol parley.v1), spoken by a
// thin client: `hello` then `welcome`, `send` with a `cid`, app-level `ping`.
// A relay frame may batch several envelopes separated by '\n'; the load
// generator counts benchmark texts in the raw frame, so batches need no split.

const WELCOME = Buffer.from('"type":"welcome"');
const ERROR = Buffer.from('"type":"error"');

/** @type {import('./index.mjs').Wire} */
export const parleyWire = {
  name: 'parley',
  url: (base) => `${base}chat`,
  protocols: 'parley.v1',
  greet(sock, { nick, room }) {
    sock.send(JSON.stringify({ type: 'hello', nick, rooms: [{ room, since: 0 }] }));
  },
  readyOnOpen: false,
  isReady: (buf) => buf.indexOf(WELCOME) !== -1,
  isError: (buf) => buf.indexOf(ERROR) !== -1,
  control: () => false, // the relay's WebSocket pings are answered by `ws` itself
  encodeSend: (text, seq, room) => JSON.stringify({ type: 'send', room, text, cid: `c${seq}` }),
  heartbeat: () => `{"type":"ping","ts":${Date.now()}}`,
};
