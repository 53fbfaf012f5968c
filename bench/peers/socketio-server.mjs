// Socket.IO 4 with a room broadcast, WebSocket transport only. A client names
// its room in the handshake query; `send` is broadcast to the room's other
// members as `msg` (encoded once per broadcast by the adapter).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { Server } from 'socket.io';

const require = createRequire(import.meta.url);
export const label = 'Socket.IO';
export const version = `socket.io ${require('socket.io/package.json').version}`;

/** Starts the server on `host`, a free port. */
export async function start({ host }) {
  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    maxHttpBufferSize: 1 << 20,
  });
  io.on('connection', (socket) => {
    const room = String(socket.handshake.query.room || 'bench');
    socket.join(room);
    socket.on('send', (text) => {
      socket.to(room).emit('msg', { from: socket.id, text });
    });
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, host, resolve);
  });
  const { port } = http.address();
  return {
    url: `ws://${host}:${port}/`,
    connections: () => io.engine.clientsCount,
    close: () => new Promise((resolve) => {
      io.close(() => resolve());
      io.disconnectSockets(true);
    }),
  };
}
