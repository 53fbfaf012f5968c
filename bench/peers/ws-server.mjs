// The naive Node baseline: a bare `ws` server that parses each message and
// sends one pre-stringified string to every other client. No rooms, no
// batching, no heartbeats: what a tutorial chat server does.
import { ws, wsVersion } from '../lib/ws.mjs';

export const label = 'bare ws';
export const version = `ws ${wsVersion}`;

/** Starts the server on `host`, a free port. */
export async function start({ host }) {
  const wss = new ws.WebSocketServer({ host, port: 0, perMessageDeflate: false, maxPayload: 1 << 20 });
  let n = 0;
  wss.on('connection', (sock) => {
    const from = `u${++n}`;
    sock.on('error', () => {});
    sock.on('message', (data) => {
      const { text } = JSON.parse(data);
      const out = JSON.stringify({ from, text });
      for (const other of wss.clients) {
        if (other !== sock && other.readyState === 1) other.send(out);
      }
    });
  });
  await new Promise((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const { port } = wss.address();
  return {
    url: `ws://${host}:${port}/`,
    connections: () => wss.clients.size,
    close: () => new Promise((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}
