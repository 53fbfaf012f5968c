// The wire formats the load generator speaks, by peer name.
//
// @typedef {object} Wire
// @property {string} name
// @property {(base: string, ctx: {room: string}) => string} url  where to connect, from the peer's base URL
// @property {string | undefined} protocols  WebSocket subprotocol to offer
// @property {(sock: WebSocket, ctx: {nick: string, room: string}) => void} greet  first frames after open
// @property {boolean} readyOnOpen  whether the connection is usable as soon as it opens
// @property {(buf: Buffer) => boolean} isReady  whether a frame completes the handshake
// @property {(buf: Buffer) => boolean} isError  whether a handshake frame is a refusal
// @property {(sock: WebSocket, buf: Buffer) => boolean} control  answers heartbeats; true when it consumed the frame
// @property {(text: string, seq: number, room: string) => string} encodeSend  one send
// @property {(() => string) | undefined} heartbeat  app-level ping the client sends while idle
import { wsWire } from './ws.mjs';
import { socketioWire } from './socketio.mjs';
import { parleyWire } from './parley.mjs';
import { PARLEY_PEERS } from '../peers/parley-stores.mjs';

/** Every Parley peer speaks the same wire, whatever its store. */
export const wires = { ws: wsWire, socketio: socketioWire, ...Object.fromEntries(PARLEY_PEERS.map((p) => [p, parleyWire])) };
