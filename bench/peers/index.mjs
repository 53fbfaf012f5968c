// The peers a benchmark server process can run, by name: bare ws, Socket.IO,
// and Parley on each store of PARLEY_STORES (`parley`, `parley-sqlite`, …).
import { storeOfPeer } from './parley-stores.mjs';

const MODULES = {
  ws: './ws-server.mjs',
  socketio: './socketio-server.mjs',
};

/**
 * The module of peer `name` and the options its `start()` needs on top of
 * the scenario's (a Parley peer's store).
 *
 * @example
 *   const { peer, options } = await loadPeer('parley-sqlite');
 *   const server = await peer.start({ host: '127.0.0.1', ...options });
 */
export async function loadPeer(name) {
  const store = storeOfPeer(name);
  if (store) return { peer: await import('./parley-server.mjs'), options: { store } };
  if (!MODULES[name]) throw new Error(`unknown peer ${name}`);
  return { peer: await import(MODULES[name]), options: {} };
}
