// Many connections from one address (X-Forwarded-For through the relay's
// trusted proxy, this machine) asking for the largest history pages as fast
// as each connection's rate limit allows, in their own process. Options as
// JSON in argv[2]: { url, room, ms, connections, address, perSecond, warmMs }:
// every connection says hello at once, then all start reading `warmMs` after
// the start (so what is measured is the reading, not the connecting) for `ms`.
// Prints one JSON line at the end: { pages, refused, messages, closes }.
import WebSocket from 'ws';

const { url, room, ms, connections, address, perSecond, warmMs = 0 } = JSON.parse(process.argv[2]);
const startAt = Date.now() + warmMs;
const end = startAt + ms;
const figures = { pages: 0, refused: 0, messages: 0, closes: {} };

function reader(i) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'parley.v1', { headers: { 'x-forwarded-for': address } });
    let q = 0;
    let timer;
    ws.on('error', () => {});
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', nick: `heavy${process.pid}x${i}`, rooms: [{ room, since: 0 }] })));
    const ask = () => {
      if (Date.now() >= end) return ws.close(1000);
      ws.send(JSON.stringify({ type: 'history', qid: `q${++q}`, room, limit: 200 }));
      // within the connection's own rate limit: one request every 1/perSecond s
      timer = setTimeout(ask, 1000 / perSecond);
    };
    ws.on('message', (data) => {
      for (const line of data.toString().split('\n')) {
        const e = JSON.parse(line);
        if (e.type === 'welcome') timer = setTimeout(ask, Math.max(0, startAt - Date.now()));
        else if (e.type === 'page') {
          figures.pages++;
          figures.messages += e.messages.length;
        } else if (e.type === 'error' && e.code === 'rate_limited') figures.refused++;
      }
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      figures.closes[code] = (figures.closes[code] ?? 0) + 1;
      resolve();
    });
  });
}

await Promise.all(Array.from({ length: connections }, (_, i) => reader(i)));
process.stdout.write(JSON.stringify(figures) + '\n');
process.exit(0);
