// TCP connections that never finish their first request: destroyed at the
// hello timeout, and at most maxConnectionsPerIp of them per address
// (security.md finding S3).
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness, sleep } from './helpers.js';

function raw(port: number, first = ''): { socket: Socket; connected: Promise<void>; closed: Promise<number> } {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  if (first) socket.on('connect', () => socket.write(first));
  return {
    socket,
    connected: new Promise((resolve) => socket.once('connect', () => resolve())),
    closed: new Promise((resolve) => socket.once('close', () => resolve(Date.now() - started))),
  };
}

/** The hello timeout of this file's relays, ms (it also bounds a request's headers). */
const HELLO_TIMEOUT_MS = 300;

describe('connections before their first request', () => {
  const h = new Harness();
  let relay: RelayHandle;
  const sockets: Socket[] = [];
  before(async () => {
    relay = await h.relay({ helloTimeoutMs: HELLO_TIMEOUT_MS, maxConnectionsPerIp: 3 });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await h.close();
  });

  test('are destroyed at the hello timeout, whatever part of a request they sent', async () => {
    const idle = ['', 'GET /chat HTTP/1.1\r\nHost: x\r\n', 'G'].map((first) => raw(relay.port, first));
    sockets.push(...idle.map((r) => r.socket));
    for (const t of await Promise.all(idle.map((r) => r.closed))) assert.ok(t >= 250 && t < 1300, `closed after ${t} ms`);
  });

  test('count per address: one more than maxConnectionsPerIp is destroyed at once, and a WebSocket still connects once they are gone', async () => {
    const idle = [1, 2, 3].map(() => raw(relay.port));
    sockets.push(...idle.map((r) => r.socket));
    // connected: each is in the relay's accept queue, so it is accepted (and counted) before the next one
    await Promise.all(idle.map((r) => r.connected));
    const over = raw(relay.port);
    sockets.push(over.socket);
    assert.ok((await over.closed) < 200, 'the fourth is destroyed at once');
    await Promise.all(idle.map((r) => r.closed));
    const c = await h.open(relay.wsUrl);
    assert.equal((await c.hello({ nick: 'after-idle' })).type, 'welcome');
  });

  test('from a trusted proxy are not counted per address (it carries many clients), and are still destroyed at the hello timeout', async () => {
    const proxied = await h.relay({ helloTimeoutMs: HELLO_TIMEOUT_MS, maxConnectionsPerIp: 3, trustedProxies: ['127.0.0.1'] });
    const idle = [1, 2, 3, 4, 5].map(() => raw(proxied.port));
    sockets.push(...idle.map((r) => r.socket));
    for (const t of await Promise.all(idle.map((r) => r.closed))) assert.ok(t >= 250 && t < 1300, `closed after ${t} ms, not at once`);
  });

  test('a plain HTTP request is not cut by the deadline: its kept-alive socket serves another request after it', async () => {
    // one raw socket, not fetch: fetch would open a new connection had the relay cut the first
    const { socket, closed } = raw(relay.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    sockets.push(socket);
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    const answers = (n: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if ((text.match(/HTTP\/1\.1 200 /g) ?? []).length >= n) {
            socket.off('data', check);
            resolve();
          }
        };
        socket.on('data', check);
        closed.then(() => reject(new Error(`the socket closed after ${(text.match(/HTTP\/1\.1 /g) ?? []).length} answer(s)`)), () => {});
        check();
      });
    await answers(1);
    // the point of the test: past the deadline it would have had, were it still watched
    await sleep(HELLO_TIMEOUT_MS + 100);
    assert.equal(socket.destroyed, false, 'the socket is still open past the deadline');
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await answers(2);
  });
});
