// A client that sends as fast as it can, in its own process (so its CPU is not
// the measuring process's): it says hello, joins a room, then writes `send`
// envelopes while its socket buffer has room, until the relay closes it; then
// it comes back after `reconnectDelayMs` (an aggressive client, no backoff)
// until `ms` have passed. Options as JSON in argv[2]; prints one JSON line of
// figures at the end: { connections, sent, rateLimited, welcomed, closes }.
import WebSocket from 'ws';

const { url, room, ms, reconnectDelayMs } = JSON.parse(process.argv[2]);
const end = Date.now() + ms;
const figures = { connections: 0, sent: 0, rateLimited: 0, welcomed: 0, closes: {} };
let n = 0;

function once() {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'parley.v1');
    figures.connections++;
    const nick = `flood${process.pid}x${++n}`;
    let open = false;
    ws.on('error', () => {});
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', nick, rooms: [{ room, since: 0 }] })));
    ws.on('message', (data) => {
      for (const line of data.toString().split('\n')) {
        const e = JSON.parse(line);
        if (e.type === 'welcome') {
          figures.welcomed++;
          open = true;
          pump();
        } else if (e.type === 'error' && e.code === 'rate_limited') figures.rateLimited++;
      }
    });
    ws.on('close', (code) => {
      open = false;
      figures.closes[code] = (figures.closes[code] ?? 0) + 1;
      resolve();
    });
    function pump() {
      while (open && ws.bufferedAmount < 256 * 1024) {
        ws.send(JSON.stringify({ type: 'send', room, text: `flood ${n}`, cid: `f${++figures.sent}` }));
        if (figures.sent % 64 === 0) return setImmediate(pump);
      }
      if (open) setTimeout(pump, 1);
    }
  });
}

while (Date.now() < end) {
  await once();
  if (reconnectDelayMs < 0) break;
  await new Promise((r) => setTimeout(r, reconnectDelayMs));
}
process.stdout.write(JSON.stringify(figures) + '\n');
process.exit(0);
