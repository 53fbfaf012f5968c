// Opens benchmark WebSocket clients in a given wire format and resolves once
// each one's handshake (open, Socket.IO connect, Parley welcome) completes.
import { ws } from './ws.mjs';

/** Longest one client may take from connect to ready. */
export const HANDSHAKE_TIMEOUT_MS = 20_000;
/** Largest frame a benchmark client accepts. */
export const CLIENT_MAX_PAYLOAD = 64 << 20;

/**
 * Opens one client. `onFrame(sock, buf)` gets every frame after the handshake.
 * Resolves with the socket; rejects with a short reason.
 */
export function openClient(wire, { base, nick, room, localAddress, onFrame, onClose }) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const sock = new ws.WebSocket(wire.url(base, { room }), wire.protocols, {
      perMessageDeflate: false,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: CLIENT_MAX_PAYLOAD,
      // The load generator trusts the servers under test; validating UTF-8 would only add to its own cost.
      skipUTF8Validation: true,
      localAddress,
    });
    const timer = setTimeout(() => fail('timeout'), HANDSHAKE_TIMEOUT_MS);
    function fail(reason) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.terminate();
      reject(new Error(reason));
    }
    function done() {
      settled = true;
      clearTimeout(timer);
      sock.on('message', (buf) => onFrame(sock, buf));
      resolve(sock);
    }
    sock.on('error', (e) => fail(e.code || e.message));
    sock.on('close', (code) => {
      if (!settled) fail(`closed ${code}`);
      else if (onClose) onClose(sock, code);
    });
    sock.on('open', () => {
      wire.greet(sock, { nick, room });
      if (wire.readyOnOpen) done();
    });
    if (!wire.readyOnOpen) {
      const first = (buf) => {
        if (settled) return;
        if (wire.control(sock, buf)) return;
        if (wire.isReady(buf)) { sock.off('message', first); done(); return; }
        if (wire.isError(buf)) fail(`refused: ${buf.toString().slice(0, 120)}`);
      };
      sock.on('message', first);
    }
  });
}

/**
 * Opens `count` clients, at most `concurrency` handshakes at a time. `make(i)`
 * gives the i-th client's options. Resolves with the sockets and the failures.
 */
export async function openMany(wire, count, concurrency, make) {
  const sockets = [];
  const failures = {};
  let next = 0;
  async function lane() {
    while (next < count) {
      const i = next++;
      try {
        sockets.push(await openClient(wire, make(i)));
      } catch (e) {
        failures[e.message] = (failures[e.message] || 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { sockets, failures };
}
