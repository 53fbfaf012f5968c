// The `ws` package the benchmark uses on both sides: the bare-ws baseline
// server and every load-generator client. It is the same `ws` the relay
// resolves (one copy at the root), so the baseline and Parley run the same
// WebSocket code.
import { createRequire } from 'node:module';
import * as wsModule from 'ws';

const require = createRequire(import.meta.url);

/** The `ws` module (WebSocket, WebSocketServer). */
export const ws = { WebSocket: wsModule.WebSocket, WebSocketServer: wsModule.WebSocketServer };
/** Its version, for the report. */
export const wsVersion = require('ws/package.json').version;
