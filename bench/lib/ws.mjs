// The `ws` package the benchmark uses on both sides: the one the relay depends
// on, so the bare-ws baseline and Parley run the same WebSocket code. The bench
// package cannot list `ws` itself without a lockfile change, so it borrows the
// relay's copy and falls back to the one Socket.IO (engine.io) brings.
import { createRequire } from 'node:module';

const candidates = [
  new URL('../../packages/relay/package.json', import.meta.url),
  new URL('../../node_modules/engine.io/package.json', import.meta.url),
];

function load() {
  for (const from of candidates) {
    try {
      const require = createRequire(from);
      const ws = require('ws');
      const version = require('ws/package.json').version;
      return { ws, version, from: from.pathname };
    } catch { /* try the next one */ }
  }
  throw new Error('bench: cannot find the `ws` package (install the workspace dependencies)');
}

const loaded = load();

/** The `ws` module (WebSocket, WebSocketServer). */
export const ws = loaded.ws;
/** Its version, for the report. */
export const wsVersion = loaded.version;
