// Wire format of Socket.IO 4 (Engine.IO protocol 4) over a bare WebSocket: the
// thin equivalent of `io(url, { transports: ['websocket'] })`.
//
//   server: 0{"sid":…,"pingInterval":…}   engine.io open
//   client: 40                             connect to namespace "/"
//   server: 40{"sid":…}                    connected: ready
//   client: 42["send","<text>"]            event
//   server: 42["msg",{…,"text":"<text>"}]  room broadcast
//   server: 2   client: 3                  heartbeat (ping/pong)

const PING = 0x32; // '2'
const CONNECT_OPEN = Buffer.from('40');
const ERROR_OPEN = Buffer.from('44');

/** @type {import('./index.mjs').Wire} */
export const socketioWire = {
  name: 'socket.io',
  url: (base, { room }) => `${base}socket.io/?EIO=4&transport=websocket&room=${encodeURIComponent(room)}`,
  protocols: undefined,
  greet(sock) { sock.send('40'); },
  readyOnOpen: false,
  isReady: (buf) => buf.length >= 2 && buf[0] === CONNECT_OPEN[0] && buf[1] === CONNECT_OPEN[1],
  isError: (buf) => buf.length >= 2 && buf[0] === ERROR_OPEN[0] && buf[1] === ERROR_OPEN[1],
  control(sock, buf) {
    if (buf.length === 1 && buf[0] === PING) {
      sock.send('3');
      return true;
    }
    return false;
  },
  encodeSend: (text) => `42${JSON.stringify(['send', text])}`,
  heartbeat: undefined, // the Engine.IO server pings, the client answers (control above)
};
